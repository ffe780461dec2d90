// Kysely types of the prediction tables (migration 180), added to the shared Database by augmentation.
import '../../storage/schema.js';

export interface PredictionScoresTable {
  profile_id: string;
  p_alive: number | null;
  expected_orders_90d: number | null;
  clv_12m: number | null;
  churn_risk: number | null;
  purchase_intent: number | null;
  computed_at: number;
}

export interface PredictionModelsTable {
  name: string;
  /** JSON text on SQLite, JSONB on PostgreSQL: read with `dialect.parseJson`. */
  card: string;
  job_id: string;
  fitted_at: number;
}

export interface PredictionJobsTable {
  id: string;
  status: string;
  trigger: string;
  settings: string;
  result: string | null;
  error: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
}

export interface PredictionItemSimilarityTable {
  item: string;
  other: string;
  score: number;
}

declare module '../../storage/schema.js' {
  interface Database {
    prediction_scores: PredictionScoresTable;
    prediction_models: PredictionModelsTable;
    prediction_jobs: PredictionJobsTable;
    prediction_item_similarity: PredictionItemSimilarityTable;
  }
}
