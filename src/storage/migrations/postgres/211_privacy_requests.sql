-- Data-subject requests (src/privacy/dsr): jobs with status and progress. A request keeps only a salted
-- hash of the identifier it was made for (proof it was handled); the export of an access request is
-- dropped when the same person is deleted.
CREATE TABLE privacy_requests (
  id              TEXT PRIMARY KEY,
  kind            TEXT NOT NULL,           -- access | rectify | delete | suppress
  subject_hash    TEXT NOT NULL,           -- keyed hash of type:value (lookups, suppression proof)
  proof_salt      TEXT NOT NULL,
  proof_hash      TEXT NOT NULL,           -- sha256(salt || type:value)
  status          TEXT NOT NULL,           -- queued | running | completed | failed
  step            TEXT,
  progress        DOUBLE PRECISION NOT NULL DEFAULT 0, -- 0..1
  params          TEXT,                    -- rectify: the traits to set (cleared when done)
  result          TEXT,                    -- counts per table, destinations notified, error
  export          TEXT,                    -- access: the JSON export (until downloaded-expiry or deletion)
  actor           TEXT,
  created_at      BIGINT NOT NULL,
  started_at      BIGINT,
  finished_at     BIGINT
);
CREATE INDEX privacy_requests_created ON privacy_requests(created_at, id);
CREATE INDEX privacy_requests_subject ON privacy_requests(subject_hash);

-- Identifiers refused at ingest: keyed hashes (HMAC) of normalised type:value, never the value.
CREATE TABLE privacy_suppressions (
  hash       TEXT PRIMARY KEY,
  request_id TEXT NOT NULL,
  at         BIGINT NOT NULL
);
