// Turns the identifiers of a bulk tag CSV (profile ids, or any identifier type of the identity rules:
// user_id, email, phone, …) into profile ids through the identity graph.
import { sql, type Kysely } from 'kysely';
import type { Database, Dialect } from '../storage/index.js';
import { chunkRows } from '../storage/index.js';
import { AppError } from '../shared/errors.js';
import { loadRules, lookupKey } from '../identity/index.js';

/** The column names a tag CSV may use, most specific first; `identifier` tries every kind. */
export async function identifierKinds(q: Kysely<Database>): Promise<string[]> {
  const rules = await loadRules(q);
  return ['profile_id', ...rules.identifiers.map((r) => r.type), 'identifier'];
}

/** value → profile id for the values that resolve. */
export async function resolveIdentifiers(q: Kysely<Database>, dialect: Dialect, kind: string, values: string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const kinds = kind === 'identifier' ? (await identifierKinds(q)).filter((k) => k !== 'identifier') : [kind];
  const rules = await loadRules(q);
  for (const k of kinds) {
    const pending = values.filter((v) => !found.has(v));
    if (pending.length === 0) break;
    if (k === 'profile_id') {
      for (const chunk of chunkRows(pending, 1, dialect)) {
        const rows = await q.selectFrom('profiles').select('id').where('id', 'in', chunk).execute();
        for (const r of rows) found.set(r.id, r.id);
      }
      continue;
    }
    const byKey = new Map<string, string>();
    for (const v of pending) {
      try {
        byKey.set(lookupKey(rules, k, v), v);
      } catch (err) {
        // A value that is not a valid identifier of this kind simply does not resolve.
        if (!(err instanceof AppError)) throw err;
      }
    }
    for (const chunk of chunkRows([...byKey.keys()], 1, dialect)) {
      if (chunk.length === 0) continue;
      const rows = await sql<{ key: string; profile_id: string }>`SELECT key, profile_id FROM identity_identifiers
        WHERE profile_id IS NOT NULL AND key IN (${sql.join(chunk)})`.execute(q);
      for (const r of rows.rows) found.set(byKey.get(r.key)!, r.profile_id);
    }
  }
  return found;
}
