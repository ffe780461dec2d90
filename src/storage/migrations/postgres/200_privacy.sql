-- Privacy (src/privacy): which fields hold personal data, and the data keys of field encryption,
-- each wrapped by the key-encryption key (MERIDIAN_KEK); kek_id says which one.
CREATE TABLE privacy_classification (
  field      TEXT PRIMARY KEY,           -- normal form: lower case, no `_`, `-` or spaces
  kind       TEXT NOT NULL,              -- email | phone | name | address | pii | none
  updated_at BIGINT NOT NULL
);

CREATE TABLE privacy_data_keys (
  id         TEXT PRIMARY KEY,
  kek_id     TEXT NOT NULL,              -- fingerprint of the KEK that wraps it
  wrapped    TEXT NOT NULL,
  active     INTEGER NOT NULL,           -- 1 for the key new values are sealed with
  created_at BIGINT NOT NULL
);

-- The data key a failed event's payload is sealed with (NULL: stored in clear, no KEK configured).
ALTER TABLE failed_events ADD COLUMN payload_key TEXT;
CREATE INDEX failed_events_payload_key ON failed_events(payload_key);
