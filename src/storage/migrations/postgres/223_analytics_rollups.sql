-- Analytics rollups for dashboard speed (issue 14, item 7); see the SQLite migration of the same name.
CREATE TABLE analytics_dims (
  hour    BIGINT NOT NULL,
  dim     TEXT NOT NULL,
  value   TEXT NOT NULL,
  events  BIGINT NOT NULL,
  orders  BIGINT NOT NULL,
  revenue DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (dim, hour, value)
);

CREATE TABLE analytics_counts (
  kind TEXT NOT NULL,
  a    BIGINT NOT NULL,
  b    BIGINT NOT NULL,
  n    DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (kind, a, b)
);

ALTER TABLE analytics_people ADD COLUMN pid TEXT NOT NULL DEFAULT '';
ALTER TABLE analytics_people ADD COLUMN days TEXT NOT NULL DEFAULT '';
CREATE INDEX analytics_people_pid ON analytics_people(pid);
DELETE FROM analytics_events;
DELETE FROM analytics_hourly;
DELETE FROM analytics_people;
DELETE FROM stage_offsets WHERE stage = 'analytics';

CREATE TABLE analytics_moves (key TEXT PRIMARY KEY);
-- One line: the migration runner splits statements at a ';' that ends a line.
CREATE FUNCTION analytics_moves_queue() RETURNS trigger LANGUAGE plpgsql AS $$ DECLARE k TEXT; p TEXT; BEGIN IF TG_OP = 'DELETE' THEN k := OLD.key; p := OLD.key; ELSE k := NEW.key; p := COALESCE(NEW.profile_id, NEW.key); END IF; IF EXISTS (SELECT 1 FROM analytics_people WHERE person = k AND pid IS DISTINCT FROM p) THEN INSERT INTO analytics_moves(key) VALUES (k) ON CONFLICT DO NOTHING; END IF; RETURN NULL; END $$;
CREATE TRIGGER analytics_moves_change AFTER INSERT OR UPDATE OF profile_id OR DELETE ON identity_identifiers FOR EACH ROW EXECUTE FUNCTION analytics_moves_queue();


CREATE TABLE analytics_removed (
  id   BIGSERIAL PRIMARY KEY,
  pid  TEXT NOT NULL,
  days TEXT NOT NULL
);
CREATE FUNCTION analytics_people_removed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO analytics_removed(pid, days) VALUES (OLD.pid, OLD.days); RETURN NULL; END $$;
CREATE TRIGGER analytics_people_removed AFTER DELETE ON analytics_people FOR EACH ROW EXECUTE FUNCTION analytics_people_removed();
CREATE FUNCTION analytics_events_removed() RETURNS trigger LANGUAGE plpgsql AS $$ DECLARE o INT := CASE WHEN OLD.name = 'Order Completed' THEN 1 ELSE 0 END; BEGIN UPDATE analytics_dims SET events = events - 1, orders = orders - o, revenue = revenue - o * COALESCE(OLD.revenue, 0) WHERE hour = OLD.ts - OLD.ts % 3600000 AND ((dim = '' AND value = '') OR (dim = 'channel' AND value = OLD.channel) OR (dim = 'campaign' AND value = OLD.campaign) OR (dim = 'device' AND value = OLD.device) OR (dim = 'country' AND value = OLD.country) OR (dim = 'category' AND value = OLD.category)); RETURN NULL; END $$;
CREATE TRIGGER analytics_events_removed AFTER DELETE ON analytics_events FOR EACH ROW EXECUTE FUNCTION analytics_events_removed();
