// Kysely type of the source_connectors table (migration 050), added to the Database by augmentation.
declare module '../storage/schema.js' {
  interface Database {
    source_connectors: SourceConnectorsTable;
  }
}

export interface SourceConnectorsTable {
  source_id: string;
  kind: string;
  config: string;
  secret: string | null;
  state: string | null;
  lease_until: number | null;
  last_run_at: number | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}
