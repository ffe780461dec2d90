// Kysely types of the identity and profile tables (migration 010), added to the shared Database by augmentation.
import type { Generated } from 'kysely';

export interface IdentitySettingsTable {
  id: string;
  rules: string;
  updated_at: number;
}

export interface IdentityIdentifiersTable {
  key: string;
  type: string;
  /** The identifier's value, sealed for classified types when a KEK is set (then `key` holds its blind index). */
  value: string;
  /** The data key `value` is sealed under (migration 220); null: in clear. */
  value_key: string | null;
  profile_id: string | null;
  component_id: string;
  /** Canonical key of the event from which the identifier is in its profile (migration 120); null: unknown. */
  since_ts: number | null;
  since_tie: string | null;
}

export interface IdentityComponentsTable {
  id: string;
  last_ts: number;
  last_tie: string;
}

export interface IdentityProfilesTable {
  profile_id: string;
  component_id: string;
  identifiers: string;
  /** The folded state as JSON, or sealed as a whole when a KEK is set. */
  state: string;
  /** The data key `state` is sealed under (migration 220); null: in clear. */
  state_key: string | null;
}

export interface IdentityMergesTable {
  id: Generated<number>;
  component_id: string;
  profile_id: string;
  into_profile_id: string;
  merged_profile_id: string;
  event_seq: number;
  identifiers: string;
  at: number;
}

export interface IdentityDecisionsTable {
  id: Generated<number>;
  component_id: string | null;
  event_seq: number;
  profile_id: string | null;
  identifier: string;
  reason: string;
  at: number;
}

export interface IdentitySeparationsTable {
  a: string;
  b: string;
  unmerge_id: string;
}

export interface IdentityUnmergesTable {
  id: string;
  profile_id: string;
  new_profile_id: string | null;
  identifiers: string;
  actor: string | null;
  at: number;
}

export interface ComputedTraitsTable {
  name: string;
  definition: string;
  created_at: number;
}

export interface ProfileSearchTable {
  profile_id: string;
  term: string;
}

declare module '../storage/schema.js' {
  interface Database {
    identity_settings: IdentitySettingsTable;
    identity_identifiers: IdentityIdentifiersTable;
    identity_components: IdentityComponentsTable;
    identity_profiles: IdentityProfilesTable;
    identity_merges: IdentityMergesTable;
    identity_decisions: IdentityDecisionsTable;
    identity_separations: IdentitySeparationsTable;
    identity_unmerges: IdentityUnmergesTable;
    computed_traits: ComputedTraitsTable;
    profile_search: ProfileSearchTable;
  }
}
