-- Identity resolution and profiles (src/identity, src/profiles). Everything here except the admin-owned
-- tables (identity_settings, identity_separations, identity_unmerges, computed_traits) is derived state,
-- rebuilt by replaying the log.

-- Workspace identity rules (one row, id = 'rules').
CREATE TABLE identity_settings (
  id         TEXT PRIMARY KEY,
  rules      TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);

-- The identity graph: every identifier seen, the profile holding it (NULL when it was only ever dropped)
-- and the connected component of events it belongs to (the unit of canonical replay).
CREATE TABLE identity_identifiers (
  key          TEXT COLLATE "C" PRIMARY KEY, -- type ':' value; byte order for prefix search
  type         TEXT NOT NULL,
  value        TEXT NOT NULL,
  profile_id   TEXT,
  component_id TEXT NOT NULL
);
CREATE INDEX identity_identifiers_component ON identity_identifiers(component_id);

-- The canonically last event applied to each component: a later-arriving event that sorts before it
-- makes the component be replayed in canonical order.
CREATE TABLE identity_components (
  id       TEXT PRIMARY KEY,
  last_ts  BIGINT NOT NULL,
  last_tie TEXT NOT NULL
);

-- Per-profile resolution state: identifiers, trait provenance, computed-trait aggregates, summary.
CREATE TABLE identity_profiles (
  profile_id   TEXT PRIMARY KEY,
  component_id TEXT NOT NULL,
  identifiers  TEXT NOT NULL,
  state        TEXT NOT NULL
);
CREATE INDEX identity_profiles_component ON identity_profiles(component_id);

-- Merge history: merged_profile_id was merged into into_profile_id by event_seq; profile_id is the
-- profile that holds the merge today (it follows later merges).
CREATE TABLE identity_merges (
  id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  component_id      TEXT NOT NULL,
  profile_id        TEXT NOT NULL,
  into_profile_id   TEXT NOT NULL,
  merged_profile_id TEXT NOT NULL,
  event_seq         BIGINT NOT NULL,
  identifiers       TEXT NOT NULL,
  at                BIGINT NOT NULL
);
CREATE INDEX identity_merges_profile ON identity_merges(profile_id);
CREATE INDEX identity_merges_component ON identity_merges(component_id);

-- Resolution decisions: identifiers dropped from an event (limit, separation, invalid value, owned elsewhere).
CREATE TABLE identity_decisions (
  id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  component_id TEXT,
  event_seq    BIGINT NOT NULL,
  profile_id   TEXT,
  identifier   TEXT NOT NULL,
  reason       TEXT NOT NULL,
  at           BIGINT NOT NULL
);
CREATE INDEX identity_decisions_component ON identity_decisions(component_id);
CREATE INDEX identity_decisions_profile ON identity_decisions(profile_id);

-- "Do not link" rules written by unmerge; they survive rebuilds so a replay never re-merges.
CREATE TABLE identity_separations (
  a          TEXT NOT NULL,
  b          TEXT NOT NULL,
  unmerge_id TEXT NOT NULL,
  PRIMARY KEY (a, b)
);

CREATE TABLE identity_unmerges (
  id             TEXT PRIMARY KEY,
  profile_id     TEXT NOT NULL,
  new_profile_id TEXT,
  identifiers    TEXT NOT NULL,
  actor          TEXT,
  at             BIGINT NOT NULL
);
CREATE INDEX identity_unmerges_profile ON identity_unmerges(profile_id);

CREATE TABLE computed_traits (
  name       TEXT PRIMARY KEY,
  definition TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

-- Lower-cased string trait values for prefix search.
CREATE TABLE profile_search (
  profile_id TEXT NOT NULL,
  term       TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (profile_id, term)
);
CREATE INDEX profile_search_term ON profile_search(term);
