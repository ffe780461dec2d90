// Kysely type of the webhook_fetches table (migration 060), added to the Database by augmentation.
declare module '../../storage/schema.js' {
  interface Database {
    webhook_fetches: WebhookFetchesTable;
  }
}

export interface WebhookFetchesTable {
  source_id: string;
  delivery_id: string;
  payload: string;
  attempts: number;
  next_at: number;
  lease_until: number | null;
  last_error: string | null;
  created_at: number;
}
