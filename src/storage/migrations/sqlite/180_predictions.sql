-- Predictions: per-profile scores of the lifetime models and the classifier (computed traits p_alive,
-- expected_orders_90d, clv_12m, churn_risk, purchase_intent), the model cards of the last fit, the
-- refit jobs, and the item-to-item similarities recommendations read.

CREATE TABLE prediction_scores (
  profile_id          TEXT PRIMARY KEY,
  p_alive             REAL,
  expected_orders_90d REAL,
  clv_12m             REAL,
  churn_risk          REAL,
  purchase_intent     REAL,
  computed_at         INTEGER NOT NULL
);

CREATE TABLE prediction_models (
  name      TEXT PRIMARY KEY,                -- bg_nbd | gamma_gamma | purchase_intent | recommendations
  card      TEXT NOT NULL,                   -- the model card (JSON): parameters, data window, metrics
  job_id    TEXT NOT NULL,
  fitted_at INTEGER NOT NULL
);

CREATE TABLE prediction_jobs (
  id          TEXT PRIMARY KEY,
  status      TEXT NOT NULL,                 -- pending | running | completed | failed | interrupted
  trigger     TEXT NOT NULL,                 -- api | schedule
  settings    TEXT NOT NULL,                 -- JSON: asOf, horizonDays, discount rate, events
  result      TEXT,                          -- JSON summary when completed
  error       TEXT,
  created_at  INTEGER NOT NULL,
  started_at  INTEGER,
  finished_at INTEGER
);
CREATE INDEX prediction_jobs_created ON prediction_jobs(created_at DESC, id DESC);

CREATE TABLE prediction_item_similarity (
  item       TEXT NOT NULL,
  other      TEXT NOT NULL,
  score      REAL NOT NULL,                  -- cosine over profile × item (co-purchase and co-view)
  PRIMARY KEY (item, other)
);
