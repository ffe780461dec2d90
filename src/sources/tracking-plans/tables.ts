// Kysely types of the tracking plan tables (migration 040).
declare module '../../storage/schema.js' {
  interface Database {
    tracking_plans: TrackingPlansTable;
    tracking_plan_violations: TrackingPlanViolationsTable;
  }
}

export interface TrackingPlansTable {
  source_id: string;
  /** JSON text on SQLite, JSONB on PostgreSQL. */
  plan: string;
  updated_at: number;
}

export interface TrackingPlanViolationsTable {
  id: string;
  source_id: string;
  message_id: string;
  type: string;
  event: string | null;
  code: string;
  field: string | null;
  message: string;
  blocked: number;
  at: number;
}
