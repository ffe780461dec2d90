-- Field encryption of the identity graph and the profile store (docs/privacy.md#encryption-at-rest).
-- The blind index key: one random key, wrapped by the key-encryption key like the data keys, never
-- replaced (every blind index value depends on it); kek_id says which KEK wraps it.
CREATE TABLE privacy_index_keys (
  id         TEXT PRIMARY KEY,
  kek_id     TEXT NOT NULL,
  wrapped    TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

-- The data key each sealed column is under (NULL: in clear, no KEK configured when it was written).
ALTER TABLE identity_identifiers ADD COLUMN value_key TEXT;
ALTER TABLE identity_profiles ADD COLUMN state_key TEXT;
ALTER TABLE profiles ADD COLUMN pii_key TEXT;
-- With a KEK, the blind index of each classified trait ({"email": "bi1.…"}) segment rules compare.
ALTER TABLE profiles ADD COLUMN pii_index JSONB;
