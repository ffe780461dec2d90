-- Users, sessions, custom roles, API key expiry, the audit log and its alert rules (src/auth).
-- Old API key roles map to the new built-in ones: manager → marketer (admin, analyst, support keep
-- their names).
CREATE TABLE users (
  id              TEXT PRIMARY KEY,
  email           TEXT NOT NULL UNIQUE,     -- lower-cased
  name            TEXT,
  role            TEXT NOT NULL,
  password_hash   TEXT NOT NULL,            -- scrypt$N$r$p$salt$key (src/auth/password.ts)
  disabled_at     INTEGER,
  failed_sign_ins INTEGER NOT NULL DEFAULT 0,
  locked_until    INTEGER,
  last_sign_in_at INTEGER,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL
);

CREATE TABLE sessions (
  id           TEXT PRIMARY KEY,
  token_hash   TEXT NOT NULL UNIQUE,
  user_id      TEXT NOT NULL REFERENCES users(id),
  csrf_token   TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE roles (
  name        TEXT PRIMARY KEY,
  description TEXT,
  permissions TEXT NOT NULL,                -- JSON array of resource:action
  pii_access  TEXT NOT NULL,                -- full | masked | none
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);

ALTER TABLE api_keys ADD COLUMN expires_at INTEGER;
UPDATE api_keys SET role = 'marketer' WHERE role = 'manager';

-- Append-only, hash-chained: hash = sha256(prev_hash | canonical row). Triggers refuse UPDATE and DELETE,
-- a change made around them (editing the file) breaks the chain, which GET /v1/audit/verify finds.
CREATE TABLE audit_log (
  seq         INTEGER PRIMARY KEY,
  at          INTEGER NOT NULL,
  actor       TEXT NOT NULL,
  actor_label TEXT,
  action      TEXT NOT NULL,
  target      TEXT,
  status      INTEGER,
  ip          TEXT,
  details     TEXT,
  prev_hash   TEXT NOT NULL,
  hash        TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_actor ON audit_log(actor, seq);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

CREATE TABLE alert_rules (
  id            TEXT PRIMARY KEY,
  kind          TEXT NOT NULL,              -- export_volume | failed_sign_ins | new_admin | role_change
  threshold     INTEGER NOT NULL,
  window_ms     INTEGER NOT NULL,
  channel       TEXT NOT NULL,              -- webhook | email
  target        TEXT NOT NULL,              -- URL or address
  enabled       INTEGER NOT NULL,
  last_fired_at INTEGER,
  created_at    INTEGER NOT NULL
);
