// Kysely types of the segment tables (migration 020), added to the shared Database by augmentation.
import '../storage/schema.js';

export interface SegmentsTable {
  id: string;
  name: string;
  description: string | null;
  /** The rule AST: JSON text on SQLite, JSONB on PostgreSQL — read it with `dialect.parseJson`. */
  rule: string;
  tag: string | null;
  template: string | null;
  created_at: number;
  updated_at: number;
}

export interface SegmentMembershipsTable {
  segment_id: string;
  profile_id: string;
  entered_at: number;
  trigger_seq: number | null;
}

export interface SegmentTimersTable {
  profile_id: string;
  due_at: number;
}

export interface ProfileTagsTable {
  tag: string;
  profile_id: string;
  created_at: number;
}

export interface RfmScoresTable {
  profile_id: string;
  last_at: number;
  frequency: number;
  monetary: number;
  r: number;
  f: number;
  m: number;
  segment: string;
  computed_at: number;
}

export interface RfmSettingsTable {
  id: number;
  event: string;
  value_properties: string;
  last_run_at: number | null;
}

declare module '../storage/schema.js' {
  interface Database {
    segments: SegmentsTable;
    segment_memberships: SegmentMembershipsTable;
    segment_timers: SegmentTimersTable;
    profile_tags: ProfileTagsTable;
    rfm_scores: RfmScoresTable;
    rfm_settings: RfmSettingsTable;
  }
}
