-- Sources, write keys, admin API keys, the event log, dedupe window and failed events.
CREATE TABLE sources (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  type        TEXT NOT NULL,
  rate_limit  INTEGER,              -- events per second, NULL = unlimited
  disabled_at INTEGER,              -- epoch ms, NULL = enabled
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);

CREATE TABLE write_keys (
  id         TEXT PRIMARY KEY,
  source_id  TEXT NOT NULL REFERENCES sources(id),
  key_hash   TEXT NOT NULL UNIQUE,
  prefix     TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);
CREATE INDEX write_keys_source ON write_keys(source_id);

CREATE TABLE api_keys (
  id         TEXT PRIMARY KEY,
  name       TEXT NOT NULL,
  role       TEXT NOT NULL,
  key_hash   TEXT NOT NULL UNIQUE,
  prefix     TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);

CREATE TABLE events (
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
CREATE INDEX events_user ON events(user_id, seq) WHERE user_id IS NOT NULL;
CREATE INDEX events_anonymous ON events(anonymous_id, seq) WHERE anonymous_id IS NOT NULL;
CREATE INDEX events_source ON events(source_id, seq);

CREATE TABLE dedupe (
  source_id  TEXT NOT NULL,
  message_id TEXT NOT NULL,
  seen_at    INTEGER NOT NULL,
  PRIMARY KEY (source_id, message_id)
) WITHOUT ROWID;
CREATE INDEX dedupe_seen ON dedupe(seen_at);

CREATE TABLE failed_events (
  id         TEXT PRIMARY KEY,
  source_id  TEXT NOT NULL,
  message_id TEXT,
  stage      TEXT NOT NULL,
  code       TEXT NOT NULL,
  reason     TEXT NOT NULL,
  payload    TEXT NOT NULL,
  failed_at  INTEGER NOT NULL
);
CREATE INDEX failed_events_source ON failed_events(source_id, failed_at);
