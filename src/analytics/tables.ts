// Kysely types of the analytics tables (migration 170), all derived state of the `analytics` stage.
declare module '../storage/schema.js' {
  interface Database {
    analytics_events: AnalyticsEventsTable;
    analytics_hourly: AnalyticsHourlyTable;
    analytics_people: AnalyticsPeopleTable;
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
}
