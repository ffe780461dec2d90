-- Journeys: definitions and their versions, each person's walk through a journey (position and
-- pending wait: the journey's durable timer), what happened at each step (stats, frequency caps),
-- coupon pools and their codes. Personal data: journey_enrollments, journey_activity, coupons (profile_id).

CREATE TABLE journeys (
  id            TEXT PRIMARY KEY,
  name          TEXT NOT NULL,
  description   TEXT,
  status        TEXT NOT NULL,             -- draft | active | paused | archived
  version       BIGINT NOT NULL,          -- the newest version (new entries use it)
  template      TEXT,
  next_run_at   BIGINT,                   -- schedule triggers: the next daily run
  created_at    BIGINT NOT NULL,
  updated_at    BIGINT NOT NULL
);

CREATE TABLE journey_versions (
  journey_id  TEXT NOT NULL,
  version     BIGINT NOT NULL,
  definition  JSONB NOT NULL,               -- JourneyDefinition JSON
  created_at  BIGINT NOT NULL,
  PRIMARY KEY (journey_id, version)
);

-- One row per entry of a person into a journey. `due_at` is the pending wait (NULL: not waiting).
-- `rev` is bumped by every transaction that moves the person, so two processes never both move them.
CREATE TABLE journey_enrollments (
  id           TEXT PRIMARY KEY,
  journey_id   TEXT NOT NULL,
  version      BIGINT NOT NULL,
  profile_id   TEXT NOT NULL,
  entry_no     BIGINT NOT NULL,
  state        TEXT NOT NULL,              -- active | completed | exited | converted
  step_id      TEXT,
  due_at       BIGINT,
  rev          BIGINT NOT NULL DEFAULT 0,
  holdout      BIGINT NOT NULL,
  variant      TEXT,
  context      JSONB NOT NULL,              -- triggering event, cart, coupon code
  entered_at   BIGINT NOT NULL,
  step_at      BIGINT NOT NULL,           -- when the person reached the current step
  exited_at    BIGINT,
  exit_reason  TEXT,
  revenue      DOUBLE PRECISION,
  UNIQUE (journey_id, profile_id, entry_no)
);
CREATE INDEX journey_enrollments_due ON journey_enrollments(due_at) WHERE state = 'active' AND due_at IS NOT NULL;
CREATE INDEX journey_enrollments_profile ON journey_enrollments(profile_id, state);
CREATE INDEX journey_enrollments_journey ON journey_enrollments(journey_id, state, step_id);

-- What happened at each step: entered | sent | suppressed (holdout, cap, unreachable) | converted | exited.
CREATE TABLE journey_activity (
  id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  journey_id    TEXT NOT NULL,
  version       BIGINT NOT NULL,
  enrollment_id TEXT NOT NULL,
  profile_id    TEXT NOT NULL,
  step_id       TEXT,
  kind          TEXT NOT NULL,
  channel       TEXT,
  detail        TEXT,
  at            BIGINT NOT NULL
);
CREATE INDEX journey_activity_journey ON journey_activity(journey_id, step_id, kind);
CREATE INDEX journey_activity_caps ON journey_activity(profile_id, channel, at) WHERE kind = 'sent';

CREATE TABLE coupon_pools (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  pattern     TEXT,
  created_at  BIGINT NOT NULL
);

-- One code per person per pool.
CREATE TABLE coupons (
  pool_id       TEXT NOT NULL,
  code          TEXT NOT NULL,
  profile_id    TEXT,
  journey_id    TEXT,
  assigned_at   BIGINT,
  redeemed_at   BIGINT,
  redeemed_seq  BIGINT,
  PRIMARY KEY (pool_id, code),
  UNIQUE (pool_id, profile_id)
);
CREATE INDEX coupons_code ON coupons(code);
CREATE INDEX coupons_free ON coupons(pool_id, assigned_at);
