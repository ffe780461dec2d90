-- Destinations: where profiles and events are activated, the delivery outbox, the dead letters
-- (deliveries in status `dead`), what each audience was sent, consent seen on events, email opt-outs.

CREATE TABLE destinations (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  kind        TEXT NOT NULL,               -- events | audience
  connector   TEXT NOT NULL,               -- webhook | meta | google_ads | line | smtp
  category    TEXT,                        -- consent category (e.g. advertising, marketing)
  config      TEXT NOT NULL DEFAULT '{}',  -- connector settings (no secrets)
  secrets     TEXT,                        -- AES-256-GCM sealed JSON of the connector's secrets
  filter      TEXT NOT NULL DEFAULT '{}',  -- event forwarding: which events
  mapping     TEXT,                        -- event forwarding: field mapping, NULL = the whole event
  segments    TEXT NOT NULL DEFAULT '{}',  -- audience sync: {segmentId: platform audience id}
  delivery    TEXT NOT NULL DEFAULT '{}',  -- retry budget, rate limit, concurrency overrides
  paused_at   INTEGER,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);

-- The outbox. Rows are written in the same transaction as the change that causes them.
CREATE TABLE deliveries (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  destination_id  TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  order_key       TEXT NOT NULL,           -- per-profile ordering within a destination
  op              TEXT NOT NULL,           -- event | add | remove
  segment_id      TEXT,
  payload         TEXT NOT NULL,
  status          TEXT NOT NULL,           -- queued | inflight | retrying | delivered | skipped | dead
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,        -- due time; for inflight rows the lease expiry
  created_at      INTEGER NOT NULL,        -- when the causing change happened
  updated_at      INTEGER NOT NULL,
  delivered_at    INTEGER,
  last_status     INTEGER,
  last_error      TEXT,
  last_response   TEXT,
  attempt_group   TEXT,                    -- deliveries attempted together are retried together (same retry key)
  UNIQUE (destination_id, idempotency_key)
);
CREATE INDEX deliveries_pending ON deliveries(destination_id, status, id);
CREATE INDEX deliveries_order ON deliveries(destination_id, order_key, id);

-- What each audience destination last successfully sent to the platform (for removes and resync).
CREATE TABLE destination_members (
  destination_id TEXT NOT NULL,
  segment_id     TEXT NOT NULL,
  profile_id     TEXT NOT NULL,
  identifiers    TEXT NOT NULL,            -- the hashed identifiers the platform holds
  sent_at        INTEGER NOT NULL,
  PRIMARY KEY (destination_id, segment_id, profile_id)
);

-- Consent preferences carried by events (context.consent.categoryPreferences), keyed by log seq so a
-- profile's latest choice is found through profile_events.
CREATE TABLE consent_events (
  seq         INTEGER PRIMARY KEY,
  preferences TEXT NOT NULL
);

-- Email opt-outs recorded by the unsubscribe link; they suppress further sends of the destination.
CREATE TABLE email_optouts (
  destination_id TEXT NOT NULL,
  email          TEXT NOT NULL,
  at             INTEGER NOT NULL,
  PRIMARY KEY (destination_id, email)
);
