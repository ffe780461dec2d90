-- Analytics rollups for dashboard speed (issue 14, item 7). All derived state of the `analytics` stage:
-- this migration empties the analytics tables and rewinds the stage so replaying the log fills them.
--
-- analytics_dims: per UTC hour and breakdown dimension value, the additive measures (events, orders,
-- revenue) with no person in the key: dim '' value '' is the total row.
CREATE TABLE analytics_dims (
  hour    INTEGER NOT NULL,         -- epoch ms of the UTC hour
  dim     TEXT NOT NULL,            -- '' (total) | channel | campaign | device | country | category
  value   TEXT NOT NULL,
  events  INTEGER NOT NULL,
  orders  INTEGER NOT NULL,
  revenue REAL NOT NULL,
  PRIMARY KEY (dim, hour, value)
);

-- analytics_counts: exact distinct-profile counters (src/analytics/profile-counts.ts), maintained from
-- each profile's UTC active days. kind G: (a = active day, b = the profile's previous active day or -1),
-- C: the same over order days; R*/V* (first-seen cohort) and Q*/U* (first-order cohort) per W(eek) or
-- M(onth): (a = cohort, b = period) → members active / their revenue. No identifiers.
CREATE TABLE analytics_counts (
  kind TEXT NOT NULL,
  a    INTEGER NOT NULL,
  b    INTEGER NOT NULL,
  n    REAL NOT NULL,
  PRIMARY KEY (kind, a, b)
);

-- The profile each identity key is counted under (kept equal to identity_identifiers.profile_id, or the
-- key itself before identity resolves it) and its UTC active days ("day[:orders:revenue]" comma list).
ALTER TABLE analytics_people ADD COLUMN pid TEXT NOT NULL DEFAULT '';
ALTER TABLE analytics_people ADD COLUMN days TEXT NOT NULL DEFAULT '';
CREATE INDEX analytics_people_pid ON analytics_people(pid);
DELETE FROM analytics_events;
DELETE FROM analytics_hourly;
DELETE FROM analytics_people;
DELETE FROM stage_offsets WHERE stage = 'analytics';

-- Keys whose profile changed (merge, unmerge, resolution, delete) since the analytics stage counted
-- them: the stage (or the next counter-served query) moves their days to the new profile's counts.
CREATE TABLE analytics_moves (key TEXT PRIMARY KEY);
CREATE TRIGGER analytics_moves_insert AFTER INSERT ON identity_identifiers
  WHEN EXISTS (SELECT 1 FROM analytics_people WHERE person = NEW.key AND pid IS NOT COALESCE(NEW.profile_id, NEW.key))
  BEGIN INSERT OR IGNORE INTO analytics_moves(key) VALUES (NEW.key); END;
CREATE TRIGGER analytics_moves_update AFTER UPDATE OF profile_id ON identity_identifiers
  WHEN EXISTS (SELECT 1 FROM analytics_people WHERE person = NEW.key AND pid IS NOT COALESCE(NEW.profile_id, NEW.key))
  BEGIN INSERT OR IGNORE INTO analytics_moves(key) VALUES (NEW.key); END;
CREATE TRIGGER analytics_moves_delete AFTER DELETE ON identity_identifiers
  WHEN EXISTS (SELECT 1 FROM analytics_people WHERE person = OLD.key AND pid IS NOT OLD.key)
  BEGIN INSERT OR IGNORE INTO analytics_moves(key) VALUES (OLD.key); END;


-- A data-subject delete (privacy/dsr) removes a key's facts and people row. These keep the person-free
-- rollups equal to what remains: each deleted fact leaves the dimension rollup at once, and each deleted
-- key's days wait here (day numbers and the deleted profile's id, no identifier) until the analytics
-- stage or the next counter-served query subtracts them from the counters.
CREATE TABLE analytics_removed (
  id   INTEGER PRIMARY KEY AUTOINCREMENT,
  pid  TEXT NOT NULL,
  days TEXT NOT NULL
);
CREATE TRIGGER analytics_people_removed AFTER DELETE ON analytics_people
  BEGIN INSERT INTO analytics_removed(pid, days) VALUES (OLD.pid, OLD.days); END;
CREATE TRIGGER analytics_events_removed AFTER DELETE ON analytics_events
  BEGIN UPDATE analytics_dims SET events = events - 1, orders = orders - (CASE WHEN OLD.name = 'Order Completed' THEN 1 ELSE 0 END), revenue = revenue - (CASE WHEN OLD.name = 'Order Completed' THEN COALESCE(OLD.revenue, 0) ELSE 0 END) WHERE hour = OLD.ts - OLD.ts % 3600000 AND ((dim = '' AND value = '') OR (dim = 'channel' AND value = OLD.channel) OR (dim = 'campaign' AND value = OLD.campaign) OR (dim = 'device' AND value = OLD.device) OR (dim = 'country' AND value = OLD.country) OR (dim = 'category' AND value = OLD.category)); END;
