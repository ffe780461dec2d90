-- Analytics (src/analytics): derived state written by the `analytics` pipeline stage from the event log,
-- rebuilt by replaying it. analytics_events is the log narrowed to what the metrics read (no JSON to parse
-- per query); analytics_hourly is the incremental rollup per UTC hour and person (events, orders, revenue); analytics_people holds
-- each identifier's first visit, first order and acquisition channel.
CREATE TABLE analytics_events (
  seq      BIGINT PRIMARY KEY,      -- events.seq
  ts       BIGINT NOT NULL,
  person   TEXT NOT NULL,           -- identity key: 'user_id:…' or 'anonymous_id:…'
  name     TEXT NOT NULL,           -- track event name; '$pageview' for pages, '$screen' for screens
  path     TEXT,                    -- page path (pages only)
  referrer TEXT,                    -- host of an external referrer (pages only)
  revenue  DOUBLE PRECISION,                    -- properties.revenue | total | value when numeric
  channel  TEXT NOT NULL,           -- '(direct)' when the visit carried no campaign or referrer
  campaign TEXT NOT NULL,           -- '(none)'
  device   TEXT NOT NULL,           -- desktop | mobile | tablet | (unknown)
  country  TEXT NOT NULL,           -- '(unknown)'
  category TEXT NOT NULL            -- product category, '(none)'
);
CREATE INDEX analytics_events_ts ON analytics_events(ts);
CREATE INDEX analytics_events_name_ts ON analytics_events(name, ts);

-- Per UTC hour and person: what distinct-people figures (actives, customers, cohorts) count. One row
-- per person-hour instead of one per event; the breakdown dimensions stay in analytics_events.
CREATE TABLE analytics_hourly (
  hour    BIGINT NOT NULL,         -- epoch ms of the UTC hour
  person  TEXT NOT NULL,
  events  BIGINT NOT NULL,
  orders  BIGINT NOT NULL,
  revenue DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (hour, person)
);

CREATE TABLE analytics_people (
  person         TEXT PRIMARY KEY,
  first_seen     BIGINT NOT NULL,
  first_order    BIGINT,
  first_channel  TEXT NOT NULL,     -- channel of the first visit: the acquisition channel
  first_campaign TEXT NOT NULL,
  channel        TEXT NOT NULL,     -- last non-direct channel (stamps later events for 30 days)
  campaign       TEXT NOT NULL,
  touched_at     BIGINT,
  device         TEXT NOT NULL,     -- last device and country seen, for server-side events without context
  country        TEXT NOT NULL
);
