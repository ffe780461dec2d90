// Kysely types of the journeys tables (migration 150), added to the shared Database by augmentation.
import type { Generated } from 'kysely';
import '../storage/schema.js';

export interface JourneysTable {
  id: string;
  name: string;
  description: string | null;
  status: string;
  version: number;
  template: string | null;
  next_run_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface JourneyVersionsTable {
  journey_id: string;
  version: number;
  definition: string;
  created_at: number;
}

export interface JourneyEnrollmentsTable {
  id: string;
  journey_id: string;
  version: number;
  profile_id: string;
  entry_no: number;
  state: string;
  step_id: string | null;
  due_at: number | null;
  rev: Generated<number>;
  holdout: number;
  variant: string | null;
  context: string;
  /** The data key the context is sealed with (NULL: in clear). */
  context_key: string | null;
  entered_at: number;
  step_at: number;
  exited_at: number | null;
  exit_reason: string | null;
  revenue: number | null;
}

export interface JourneyActivityTable {
  id: Generated<number>;
  journey_id: string;
  version: number;
  enrollment_id: string;
  profile_id: string;
  step_id: string | null;
  kind: string;
  channel: string | null;
  detail: string | null;
  at: number;
}

export interface CouponPoolsTable {
  id: string;
  name: string;
  pattern: string | null;
  created_at: number;
}

export interface CouponsTable {
  pool_id: string;
  code: string;
  profile_id: string | null;
  journey_id: string | null;
  assigned_at: number | null;
  redeemed_at: number | null;
  redeemed_seq: number | null;
}

declare module '../storage/schema.js' {
  interface Database {
    journeys: JourneysTable;
    journey_versions: JourneyVersionsTable;
    journey_enrollments: JourneyEnrollmentsTable;
    journey_activity: JourneyActivityTable;
    coupon_pools: CouponPoolsTable;
    coupons: CouponsTable;
  }
}
