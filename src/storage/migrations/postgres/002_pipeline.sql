-- The contracts between pipeline stages. Every stage is derived state: it can be rebuilt by replaying the log.

-- How far each stage has processed its input feed (log seq, profile change seq, …).
CREATE TABLE stage_offsets (
  stage    TEXT PRIMARY KEY,
  position BIGINT NOT NULL
);

-- One row per person (written by identity/profiles).
CREATE TABLE profiles (
  id         TEXT PRIMARY KEY,
  traits     JSONB NOT NULL DEFAULT '{}',   -- current trait values {name: value}
  computed   JSONB NOT NULL DEFAULT '{}',   -- computed trait values {name: value}
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

-- The unified timeline: each log event attributed to its current profile (kept right through merges/unmerges).
CREATE TABLE profile_events (
  seq        BIGINT PRIMARY KEY,          -- events.seq
  profile_id TEXT NOT NULL,
  type       TEXT NOT NULL,
  event      TEXT,
  ts         BIGINT NOT NULL,
  properties JSONB NOT NULL DEFAULT '{}'    -- properties (track/page/screen) or traits (identify/group)
);
CREATE INDEX profile_events_profile ON profile_events(profile_id, ts);
CREATE INDEX profile_events_event ON profile_events(event, ts);

-- Durable, ordered feed of "this profile changed", written in the same transaction as the change.
-- Segments consume it; kind: event | traits | merged (other_profile_id merged INTO profile_id) | unmerged | deleted.
CREATE TABLE profile_changes (
  change_seq       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  profile_id       TEXT NOT NULL,
  kind             TEXT NOT NULL,
  event_seq        BIGINT,
  other_profile_id TEXT,
  at               BIGINT NOT NULL
);

-- Durable, ordered feed of segment membership changes (segment.entered / segment.exited), written in the
-- same transaction as the membership change. Destinations and journeys consume it.
CREATE TABLE membership_changes (
  change_seq  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  segment_id  TEXT NOT NULL,
  profile_id  TEXT NOT NULL,
  kind        TEXT NOT NULL,               -- entered | exited
  at          BIGINT NOT NULL,
  trigger_seq BIGINT                      -- the log event that caused it, NULL for time-based changes
);
