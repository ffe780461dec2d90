-- Installation-wide settings every process sharing the store must agree on. `secret_key_check`: a
-- value derived from the key that seals connector secrets (src/shared/key-check.ts), so a process
-- started with another key refuses to start instead of failing at the first secret it reads.
CREATE TABLE settings (
  name       TEXT PRIMARY KEY,
  value      TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);

-- Items of a pipeline feed that a stage could not apply after bounded retries (a non-transient error),
-- set aside so the stage moves on (src/log/stage-failures.ts). They are already in the log (or a
-- derived feed): replaying one applies it to its stage exactly once.
CREATE TABLE stage_failures (
  id          TEXT PRIMARY KEY,
  stage       TEXT NOT NULL,
  position    BIGINT NOT NULL,
  item_key    TEXT,
  code        TEXT NOT NULL,
  error       TEXT NOT NULL,
  item        TEXT NOT NULL,
  attempts    INTEGER NOT NULL,
  status      TEXT NOT NULL,
  failed_at   BIGINT NOT NULL,
  replayed_at BIGINT
);
CREATE UNIQUE INDEX stage_failures_position ON stage_failures(stage, position);
CREATE INDEX stage_failures_recent ON stage_failures(failed_at, id);
