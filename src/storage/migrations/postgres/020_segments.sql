-- Segments: audience definitions, current members, durable re-evaluation timers, manual tags and RFM scores.
-- The membership_changes feed (002_pipeline) records every enter/exit written here.

CREATE TABLE segments (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  description TEXT,
  rule        JSONB NOT NULL,              -- the versioned rule AST (JSON)
  tag         TEXT UNIQUE,                 -- rule-based tag name: members carry this tag in rules
  template    TEXT,                        -- the built-in template it was created from
  created_at  BIGINT NOT NULL,
  updated_at  BIGINT NOT NULL
);

-- Event conditions look up one profile's events by name (the pipeline's indexes lead with only one of the two).
CREATE INDEX profile_events_profile_event ON profile_events(profile_id, event, ts);

-- Current members. Destinations diff it for a full resync.
CREATE TABLE segment_memberships (
  segment_id  TEXT NOT NULL,
  profile_id  TEXT NOT NULL,
  entered_at  BIGINT NOT NULL,
  trigger_seq BIGINT,                     -- the log event that made it enter, NULL for batch/time-based
  PRIMARY KEY (segment_id, profile_id)
);
CREATE INDEX segment_memberships_profile ON segment_memberships(profile_id);

-- Scratch space of a batch recompute: the new member set, diffed against segment_memberships in SQL.
CREATE TABLE segment_batch (
  segment_id TEXT NOT NULL,
  profile_id TEXT NOT NULL,
  PRIMARY KEY (segment_id, profile_id)
);

-- The next instant at which some segment result of a profile could change with no new data.
CREATE TABLE segment_timers (
  profile_id TEXT PRIMARY KEY,
  due_at     BIGINT NOT NULL
);
CREATE INDEX segment_timers_due ON segment_timers(due_at);

CREATE TABLE profile_tags (
  tag        TEXT NOT NULL,
  profile_id TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (tag, profile_id)
);
CREATE INDEX profile_tags_profile ON profile_tags(profile_id);

-- RFM quintile scores of every profile with at least one purchase.
CREATE TABLE rfm_scores (
  profile_id   TEXT PRIMARY KEY,
  last_at      BIGINT NOT NULL,
  frequency    INTEGER NOT NULL,
  monetary     DOUBLE PRECISION NOT NULL,
  r            INTEGER NOT NULL,
  f            INTEGER NOT NULL,
  m            INTEGER NOT NULL,
  segment      TEXT NOT NULL,
  computed_at  BIGINT NOT NULL
);

-- One row: what a purchase is for RFM and when scores were last computed.
CREATE TABLE rfm_settings (
  id              INTEGER PRIMARY KEY,
  event           TEXT NOT NULL,
  value_properties JSONB NOT NULL,         -- JSON array of property names, first numeric one wins
  last_run_at     BIGINT
);
