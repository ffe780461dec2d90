// Kysely types of the analytics tables (migrations 170 and 223), all derived state of the `analytics` stage.
declare module '../storage/schema.js' {
  interface Database {
    analytics_events: AnalyticsEventsTable;
    analytics_hourly: AnalyticsHourlyTable;
    analytics_people: AnalyticsPeopleTable;
    analytics_dims: AnalyticsDimsTable;
    analytics_counts: AnalyticsCountsTable;
    analytics_moves: { key: string };
    analytics_removed: { id: number; pid: string; days: string };
  }
}

export interface AnalyticsDims {
  channel: string;
  campaign: string;
  device: string;
  country: string;
  category: string;
}

export interface AnalyticsEventsTable extends AnalyticsDims {
  seq: number;
  ts: number;
  person: string;
  name: string;
  path: string | null;
  referrer: string | null;
  revenue: number | null;
}

export interface AnalyticsHourlyTable {
  hour: number;
  person: string;
  events: number;
  orders: number;
  revenue: number;
}

export interface AnalyticsPeopleTable {
  person: string;
  first_seen: number;
  first_order: number | null;
  first_channel: string;
  first_campaign: string;
  channel: string;
  campaign: string;
  touched_at: number | null;
  device: string;
  country: string;
  /** The profile the key is counted under (identity_identifiers.profile_id, else the key). */
  pid: string;
  /** UTC active days: "day[:orders:revenue]" comma list (profile-counts.ts). */
  days: string;
}

export interface AnalyticsDimsTable {
  hour: number;
  dim: string;
  value: string;
  events: number;
  orders: number;
  revenue: number;
}

export interface AnalyticsCountsTable {
  kind: string;
  a: number;
  b: number;
  n: number;
}
