-- Sources beyond tracking calls: historical imports (jobs, checkpoints, per-row errors), ad platform
-- spend, campaign touches from page views, tracking plans and their violations, source health.

-- One import job. `identity` (source, kind, file content hash) is unique for real imports, so the
-- same file imported again finds its job (resumes it, or reports it done) instead of starting over.
CREATE TABLE imports (
  id           TEXT PRIMARY KEY,
  identity     TEXT UNIQUE,                 -- NULL for dry runs
  source_id    TEXT NOT NULL REFERENCES sources(id),
  kind         TEXT NOT NULL,               -- events | profiles
  format       TEXT NOT NULL,               -- csv | jsonl | whitespace
  file_name    TEXT NOT NULL,
  file_path    TEXT NOT NULL,
  file_hash    TEXT NOT NULL,
  file_bytes   BIGINT NOT NULL,
  mapping      JSONB NOT NULL,
  dry_run      SMALLINT NOT NULL,
  status       TEXT NOT NULL,               -- pending | running | completed | failed | interrupted
  rows_done    BIGINT NOT NULL DEFAULT 0,  -- checkpoint: every row up to here is in the log or in import_errors
  imported     BIGINT NOT NULL DEFAULT 0,
  duplicates   BIGINT NOT NULL DEFAULT 0,
  failed_rows  BIGINT NOT NULL DEFAULT 0,
  last_seq     BIGINT NOT NULL DEFAULT 0,  -- log offset when the checkpoint was taken
  error        TEXT,
  owner        TEXT,                        -- host:pid of the process running it
  heartbeat_at BIGINT,
  created_at   BIGINT NOT NULL,
  updated_at   BIGINT NOT NULL,
  finished_at  BIGINT
);
CREATE INDEX imports_source ON imports(source_id, created_at);

CREATE TABLE import_errors (
  import_id   TEXT NOT NULL,
  row_number  BIGINT NOT NULL,
  column_name TEXT NOT NULL,
  code        TEXT NOT NULL,
  message     TEXT NOT NULL,
  PRIMARY KEY (import_id, row_number, column_name, code)
);

-- Ad spend per day, channel, account and campaign; a later report of the same day replaces it.
CREATE TABLE campaign_spend (
  day           TEXT NOT NULL,              -- YYYY-MM-DD as reported by the platform
  channel       TEXT NOT NULL,              -- baidu | oceanengine | kuaishou | meta | google_ads
  account_id    TEXT NOT NULL,
  campaign_id   TEXT NOT NULL,
  campaign_name TEXT NOT NULL,
  currency      TEXT NOT NULL,
  cost_micros   BIGINT NOT NULL,           -- cost × 1,000,000: exact sums
  impressions   BIGINT NOT NULL,
  clicks        BIGINT NOT NULL,
  conversions   DOUBLE PRECISION,
  updated_at    BIGINT NOT NULL,
  PRIMARY KEY (channel, account_id, campaign_id, day)
);
CREATE INDEX campaign_spend_day ON campaign_spend(day, channel);

-- UTM parameters and click ids of page views (written by the campaign-touches pipeline stage).
CREATE TABLE campaign_touches (
  seq           BIGINT PRIMARY KEY,        -- events.seq
  source_id     TEXT NOT NULL,
  day           TEXT NOT NULL,
  ts            BIGINT NOT NULL,
  channel       TEXT,
  utm_source    TEXT,
  utm_medium    TEXT,
  utm_campaign  TEXT,
  utm_term      TEXT,
  utm_content   TEXT,
  click_id_type TEXT,
  click_id      TEXT,
  user_id       TEXT,
  anonymous_id  TEXT
);
CREATE INDEX campaign_touches_day ON campaign_touches(day, utm_campaign);

CREATE TABLE tracking_plans (
  source_id  TEXT PRIMARY KEY REFERENCES sources(id),
  plan       JSONB NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE TABLE tracking_plan_violations (
  id         TEXT PRIMARY KEY,
  source_id  TEXT NOT NULL,
  message_id TEXT NOT NULL,
  type       TEXT NOT NULL,
  event      TEXT,
  code       TEXT NOT NULL,                 -- unplanned_event | invalid_properties | invalid_traits
  field      TEXT,
  message    TEXT NOT NULL,
  blocked    SMALLINT NOT NULL,
  at         BIGINT NOT NULL
);
CREATE INDEX tracking_plan_violations_source ON tracking_plan_violations(source_id, at);

-- Source health reads events per source by receive time.
CREATE INDEX events_source_received ON events(source_id, received_at);
