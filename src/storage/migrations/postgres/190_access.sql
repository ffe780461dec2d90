-- Users, sessions, custom roles, API key expiry, the audit log and its alert rules (src/auth).
-- Old API key roles map to the new built-in ones: manager → marketer (admin, analyst, support keep
-- their names).
CREATE TABLE users (
  id              TEXT PRIMARY KEY,
  email           TEXT NOT NULL UNIQUE,     -- lower-cased
  name            TEXT,
  role            TEXT NOT NULL,
  password_hash   TEXT NOT NULL,            -- scrypt$N$r$p$salt$key (src/auth/password.ts)
  disabled_at     BIGINT,
  failed_sign_ins BIGINT NOT NULL DEFAULT 0,
  locked_until    BIGINT,
  last_sign_in_at BIGINT,
  created_at      BIGINT NOT NULL,
  updated_at      BIGINT NOT NULL
);

CREATE TABLE sessions (
  id           TEXT PRIMARY KEY,
  token_hash   TEXT NOT NULL UNIQUE,
  user_id      TEXT NOT NULL REFERENCES users(id),
  csrf_token   TEXT NOT NULL,
  created_at   BIGINT NOT NULL,
  expires_at   BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE roles (
  name        TEXT PRIMARY KEY,
  description TEXT,
  permissions TEXT NOT NULL,                -- JSON array of resource:action
  pii_access  TEXT NOT NULL,                -- full | masked | none
  created_at  BIGINT NOT NULL,
  updated_at  BIGINT NOT NULL
);

ALTER TABLE api_keys ADD COLUMN expires_at BIGINT;
UPDATE api_keys SET role = 'marketer' WHERE role = 'manager';

-- Append-only, hash-chained: hash = sha256(prev_hash | canonical row). A trigger refuses UPDATE and DELETE,
-- a change made around them (editing the file) breaks the chain, which GET /v1/audit/verify finds.
CREATE TABLE audit_log (
  seq         BIGINT PRIMARY KEY,
  at          BIGINT NOT NULL,
  actor       TEXT NOT NULL,
  actor_label TEXT,
  action      TEXT NOT NULL,
  target      TEXT,
  status      BIGINT,
  ip          TEXT,
  details     TEXT,
  prev_hash   TEXT NOT NULL,
  hash        TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_actor ON audit_log(actor, seq);

CREATE TABLE alert_rules (
  id            TEXT PRIMARY KEY,
  kind          TEXT NOT NULL,              -- export_volume | failed_sign_ins | new_admin | role_change
  threshold     BIGINT NOT NULL,
  window_ms     BIGINT NOT NULL,
  channel       TEXT NOT NULL,              -- webhook | email
  target        TEXT NOT NULL,              -- URL or address
  enabled       BIGINT NOT NULL,
  last_fired_at BIGINT,
  created_at    BIGINT NOT NULL
);
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
