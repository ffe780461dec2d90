// Kysely types of the import tables (migration 040).
import type { Generated } from 'kysely';

declare module '../../storage/schema.js' {
  interface Database {
    imports: ImportsTable;
    import_errors: ImportErrorsTable;
  }
}

export interface ImportsTable {
  id: string;
  identity: string | null;
  source_id: string;
  kind: string;
  format: string;
  file_name: string;
  file_path: string;
  file_hash: string;
  file_bytes: number;
  /** JSON text on SQLite, JSONB on PostgreSQL. */
  mapping: string;
  dry_run: number;
  status: string;
  rows_done: Generated<number>;
  imported: Generated<number>;
  duplicates: Generated<number>;
  failed_rows: Generated<number>;
  last_seq: number;
  error: string | null;
  owner: string | null;
  heartbeat_at: number | null;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

export interface ImportErrorsTable {
  import_id: string;
  row_number: number;
  column_name: string;
  code: string;
  message: string;
}
