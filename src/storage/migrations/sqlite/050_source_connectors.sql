-- Per-source connector settings (webhook vendor and signing secret, custom transformation, MQTT
-- subscription, database sync) and their durable state (sync cursor, worker lease).
CREATE TABLE source_connectors (
  source_id   TEXT NOT NULL REFERENCES sources(id),
  kind        TEXT NOT NULL,        -- webhook | transformation | mqtt | db_sync
  config      TEXT NOT NULL,        -- JSON, never holds a secret
  secret      TEXT,                 -- AES-256-GCM sealed (signing secret, connection URL, broker password)
  state       TEXT,                 -- JSON written by the connector (e.g. the sync cursor)
  lease_until INTEGER,              -- epoch ms: a process that runs the connector holds it until then
  last_run_at INTEGER,
  last_error  TEXT,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  PRIMARY KEY (source_id, kind)
);
CREATE INDEX source_connectors_kind ON source_connectors(kind);
