-- Destinations: where profiles and events are activated, the delivery outbox, the dead letters
-- (deliveries in status `dead`), what each audience was sent, consent seen on events, email opt-outs.

CREATE TABLE destinations (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  kind        TEXT NOT NULL,               -- events | audience
  connector   TEXT NOT NULL,               -- webhook | meta | google_ads | line | smtp
  category    TEXT,                        -- consent category (e.g. advertising, marketing)
  config      JSONB NOT NULL DEFAULT '{}',  -- connector settings (no secrets)
  secrets     TEXT,                        -- AES-256-GCM sealed JSON of the connector's secrets
  filter      JSONB NOT NULL DEFAULT '{}',  -- event forwarding: which events
  mapping     JSONB,                        -- event forwarding: field mapping, NULL = the whole event
  segments    JSONB NOT NULL DEFAULT '{}',  -- audience sync: {segmentId: platform audience id}
  delivery    JSONB NOT NULL DEFAULT '{}',  -- retry budget, rate limit, concurrency overrides
  paused_at   BIGINT,
  created_at  BIGINT NOT NULL,
  updated_at  BIGINT NOT NULL
);

-- The outbox. Rows are written in the same transaction as the change that causes them.
CREATE TABLE deliveries (
  id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  destination_id  TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  order_key       TEXT NOT NULL,           -- per-profile ordering within a destination
  op              TEXT NOT NULL,           -- event | add | remove
  segment_id      TEXT,
  payload         JSONB NOT NULL,
  status          TEXT NOT NULL,           -- queued | inflight | retrying | delivered | skipped | dead
  attempts        BIGINT NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,        -- due time; for inflight rows the lease expiry
  created_at      BIGINT NOT NULL,        -- when the causing change happened
  updated_at      BIGINT NOT NULL,
  delivered_at    BIGINT,
  last_status     BIGINT,
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
  identifiers    JSONB NOT NULL,            -- the hashed identifiers the platform holds
  sent_at        BIGINT NOT NULL,
  PRIMARY KEY (destination_id, segment_id, profile_id)
);

-- Consent preferences carried by events (context.consent.categoryPreferences), keyed by log seq so a
-- profile's latest choice is found through profile_events.
CREATE TABLE consent_events (
  seq         BIGINT PRIMARY KEY,
  preferences JSONB NOT NULL
);

-- Email opt-outs recorded by the unsubscribe link; they suppress further sends of the destination.
CREATE TABLE email_optouts (
  destination_id TEXT NOT NULL,
  email          TEXT NOT NULL,
  at             BIGINT NOT NULL,
  PRIMARY KEY (destination_id, email)
);
