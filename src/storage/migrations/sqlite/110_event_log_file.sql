-- The event log moves to a database file of its own (log.db, attached as `log` while migrating; see
-- storage/open.ts): log appends and pipeline stage transactions stop sharing one write lock. Existing
-- events and the dedupe window are copied there. With WAL a transaction across two files is atomic per
-- file only, so the old tables are renamed, not dropped: if a crash lost the log file's part, their
-- rows are still in main (events_before_log_file) and nothing acknowledged is gone.
CREATE TABLE IF NOT EXISTS log.events (
  seq          INTEGER PRIMARY KEY AUTOINCREMENT,
  source_id    TEXT NOT NULL,
  message_id   TEXT NOT NULL,
  type         TEXT NOT NULL,
  event        TEXT,
  user_id      TEXT,
  anonymous_id TEXT,
  ts           INTEGER NOT NULL,
  received_at  INTEGER NOT NULL,
  payload      TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS log.events_user ON events(user_id, seq) WHERE user_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS log.events_anonymous ON events(anonymous_id, seq) WHERE anonymous_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS log.events_source ON events(source_id, seq);
CREATE INDEX IF NOT EXISTS log.events_source_received ON events(source_id, received_at);
CREATE TABLE IF NOT EXISTS log.dedupe (
  source_id  TEXT NOT NULL,
  message_id TEXT NOT NULL,
  seen_at    INTEGER NOT NULL,
  PRIMARY KEY (source_id, message_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS log.dedupe_seen ON dedupe(seen_at);
INSERT OR IGNORE INTO log.events SELECT * FROM main.events;
INSERT OR IGNORE INTO log.dedupe SELECT * FROM main.dedupe;
ALTER TABLE main.events RENAME TO events_before_log_file;
ALTER TABLE main.dedupe RENAME TO dedupe_before_log_file;
