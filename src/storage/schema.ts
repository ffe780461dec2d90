// Kysely table types: the shape of every table both dialects hold. Times are epoch milliseconds.
import type { Generated } from 'kysely';

export interface SourcesTable {
  id: string;
  name: string;
  type: string;
  rate_limit: number | null;
  /** JSON array of origin patterns, or null for any origin. */
  allowed_origins: string | null;
  disabled_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface KeysTable {
  id: string;
  key_hash: string;
  prefix: string;
  created_at: number;
  revoked_at: number | null;
}

export interface WriteKeysTable extends KeysTable {
  source_id: string;
}

export interface ApiKeysTable extends KeysTable {
  name: string;
  role: string;
  expires_at: number | null;
}

export interface UsersTable {
  id: string;
  email: string;
  name: string | null;
  role: string;
  password_hash: string;
  disabled_at: number | null;
  failed_sign_ins: number;
  locked_until: number | null;
  last_sign_in_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface SessionsTable {
  id: string;
  token_hash: string;
  user_id: string;
  csrf_token: string;
  created_at: number;
  expires_at: number;
}

export interface RolesTable {
  name: string;
  description: string | null;
  /** JSON array of permissions. */
  permissions: string;
  pii_access: string;
  created_at: number;
  updated_at: number;
}

export interface AuditLogTable {
  seq: number;
  at: number;
  actor: string;
  actor_label: string | null;
  action: string;
  target: string | null;
  status: number | null;
  ip: string | null;
  /** JSON object. */
  details: string | null;
  prev_hash: string;
  hash: string;
}

export interface AlertRulesTable {
  id: string;
  kind: string;
  threshold: number;
  window_ms: number;
  channel: string;
  target: string;
  enabled: number;
  last_fired_at: number | null;
  created_at: number;
}

export interface EventsTable {
  seq: Generated<number>;
  source_id: string;
  message_id: string;
  type: string;
  event: string | null;
  user_id: string | null;
  anonymous_id: string | null;
  ts: number;
  received_at: number;
  /** JSON text on SQLite, JSONB on PostgreSQL; sealed when payload_key is set: read it through EventLog.payloads. */
  payload: string;
  /** The data key the payload is sealed with (NULL: in clear). */
  payload_key: string | null;
}

export interface DedupeTable {
  source_id: string;
  message_id: string;
  seen_at: number;
}

export interface FailedEventsTable {
  id: string;
  source_id: string;
  message_id: string | null;
  stage: string;
  code: string;
  reason: string;
  payload: string;
  failed_at: number;
  /** The data key the payload is sealed with (migration 200); null: in clear. */
  payload_key: string | null;
}

export interface StageOffsetsTable {
  stage: string;
  position: number;
}

/** Installation-wide settings (migration 140). */
export interface SettingsTable {
  name: string;
  value: string;
  updated_at: number;
}

/** Feed items a stage set aside after bounded retries (migration 140, src/log/stage-failures.ts). */
export interface StageFailuresTable {
  id: string;
  stage: string;
  position: number;
  item_key: string | null;
  code: string;
  error: string;
  /** JSON of the item as the stage's feed gave it (sealed when item_sealed_key is set). */
  item: string;
  /** The data key the item is sealed with (NULL: in clear). */
  item_sealed_key: string | null;
  attempts: number;
  status: 'open' | 'replayed';
  failed_at: number;
  replayed_at: number | null;
}

export interface ProfilesTable {
  id: string;
  /** JSON object of current trait values (text on SQLite, JSONB on PostgreSQL). */
  traits: string;
  /** JSON object of computed trait values. */
  computed: string;
  /** With a KEK: the data key the classified traits in `traits` are sealed under (migration 220). */
  pii_key: string | null;
  /** With a KEK: JSON object of the blind index of each classified trait, for segment equality rules. */
  pii_index: string | null;
  created_at: number;
  updated_at: number;
}

export interface ProfileEventsTable {
  seq: number;
  profile_id: string;
  type: string;
  event: string | null;
  ts: number;
  /** JSON object: properties (track/page/screen) or traits (identify/group). */
  properties: string;
  /** With a KEK: the data key its classified properties are sealed under; null when none is (migration 224). */
  properties_key: string | null;
}

export interface ProfileChangesTable {
  change_seq: Generated<number>;
  profile_id: string;
  kind: 'event' | 'traits' | 'merged' | 'unmerged' | 'deleted';
  event_seq: number | null;
  other_profile_id: string | null;
  at: number;
}

export interface MembershipChangesTable {
  change_seq: Generated<number>;
  segment_id: string;
  profile_id: string;
  kind: 'entered' | 'exited';
  at: number;
  trigger_seq: number | null;
}

export interface Database {
  stage_offsets: StageOffsetsTable;
  profiles: ProfilesTable;
  profile_events: ProfileEventsTable;
  profile_changes: ProfileChangesTable;
  membership_changes: MembershipChangesTable;
  sources: SourcesTable;
  write_keys: WriteKeysTable;
  api_keys: ApiKeysTable;
  users: UsersTable;
  sessions: SessionsTable;
  roles: RolesTable;
  audit_log: AuditLogTable;
  alert_rules: AlertRulesTable;
  events: EventsTable;
  dedupe: DedupeTable;
  failed_events: FailedEventsTable;
  settings: SettingsTable;
  stage_failures: StageFailuresTable;
}
