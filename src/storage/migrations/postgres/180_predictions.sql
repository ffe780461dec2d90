-- Predictions: per-profile scores of the lifetime models and the classifier (computed traits p_alive,
-- expected_orders_90d, clv_12m, churn_risk, purchase_intent), the model cards of the last fit, the
-- refit jobs, and the item-to-item similarities recommendations read.

CREATE TABLE prediction_scores (
  profile_id          TEXT PRIMARY KEY,
  p_alive             DOUBLE PRECISION,
  expected_orders_90d DOUBLE PRECISION,
  clv_12m             DOUBLE PRECISION,
  churn_risk          DOUBLE PRECISION,
  purchase_intent     DOUBLE PRECISION,
  computed_at         BIGINT NOT NULL
);

CREATE TABLE prediction_models (
  name      TEXT PRIMARY KEY,                -- bg_nbd | gamma_gamma | purchase_intent | recommendations
  card      JSONB NOT NULL,                  -- the model card (JSON): parameters, data window, metrics
  job_id    TEXT NOT NULL,
  fitted_at BIGINT NOT NULL
);

CREATE TABLE prediction_jobs (
  id          TEXT PRIMARY KEY,
  status      TEXT NOT NULL,                 -- pending | running | completed | failed | interrupted
  trigger     TEXT NOT NULL,                 -- api | schedule
  settings    JSONB NOT NULL,                -- JSON: asOf, horizonDays, discount rate, events
  result      JSONB,                         -- JSON summary when completed
  error       TEXT,
  created_at  BIGINT NOT NULL,
  started_at  BIGINT,
  finished_at BIGINT
);
CREATE INDEX prediction_jobs_created ON prediction_jobs(created_at DESC, id DESC);

CREATE TABLE prediction_item_similarity (
  item       TEXT NOT NULL,
  other      TEXT NOT NULL,
  score      DOUBLE PRECISION NOT NULL,                  -- cosine over profile × item (co-purchase and co-view)
  PRIMARY KEY (item, other)
);
