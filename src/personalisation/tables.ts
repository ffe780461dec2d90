// Kysely types of the personalisation tables (migration 161), added to the shared Database by augmentation.
export interface PlacementsTable {
  id: string;
  name: string;
  description: string | null;
  rules: string;
  default_content: string | null;
  record_exposures: number | boolean;
  created_at: number;
  updated_at: number;
}

declare module '../storage/schema.js' {
  interface Database {
    placements: PlacementsTable;
  }
}
