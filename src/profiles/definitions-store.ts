// Computed-trait definitions as stored (declared via POST /v1/computed-traits).
import type { Db } from '../storage/index.js';
import type { ComputedTraitDefinition } from './schema.js';

export async function loadDefinitions(db: Pick<Db, 'selectFrom'>): Promise<ComputedTraitDefinition[]> {
  const rows = await db.selectFrom('computed_traits').select('definition').orderBy('name').execute();
  return rows.map((r) => JSON.parse(r.definition) as ComputedTraitDefinition);
}
