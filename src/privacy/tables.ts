// Kysely types of the privacy tables — classification and field-encryption data keys (migration 200),
// consent and data-subject requests (migrations 210, 211) — added to the shared Database by augmentation.
export interface PrivacyClassificationTable {
  field: string;
  kind: string;
  updated_at: number;
}

export interface PrivacyDataKeysTable {
  id: string;
  kek_id: string;
  wrapped: string;
  active: number;
  created_at: number;
}

/** The blind index key (migration 220), wrapped under the KEK like a data key. */
export interface PrivacyIndexKeysTable {
  id: string;
  kek_id: string;
  wrapped: string;
  created_at: number;
}

export interface ConsentCategoriesTable {
  id: string;
  name: string;
  description: string | null;
  required: number;
  created_at: number;
  updated_at: number;
}

export interface ConsentRecordsTable {
  id: string;
  profile_id: string;
  preferences: string;
  source: string;
  actor: string | null;
  at: number;
}

export type RequestKind = 'access' | 'rectify' | 'delete' | 'suppress';
export type RequestStatus = 'queued' | 'running' | 'completed' | 'failed';

export interface PrivacyRequestsTable {
  id: string;
  kind: RequestKind;
  subject_hash: string;
  proof_salt: string;
  proof_hash: string;
  status: RequestStatus;
  step: string | null;
  progress: number;
  params: string | null;
  result: string | null;
  export: string | null;
  actor: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
}

export interface PrivacySuppressionsTable {
  hash: string;
  request_id: string;
  at: number;
}

declare module '../storage/schema.js' {
  interface Database {
    consent_categories: ConsentCategoriesTable;
    consent_records: ConsentRecordsTable;
    privacy_requests: PrivacyRequestsTable;
    privacy_suppressions: PrivacySuppressionsTable;
    privacy_classification: PrivacyClassificationTable;
    privacy_data_keys: PrivacyDataKeysTable;
    privacy_index_keys: PrivacyIndexKeysTable;
  }
}
