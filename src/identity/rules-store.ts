// The workspace's identity rules, stored in the database (one row) with built-in defaults.
import type { Db } from '../storage/index.js';
import { AppError } from '../shared/errors.js';
import { DEFAULT_RULES } from './default-rules.js';
import type { IdentityRules } from './schema.js';

const ROW_ID = 'rules';

export async function loadRules(db: Pick<Db, 'selectFrom'>): Promise<IdentityRules> {
  const row = await db.selectFrom('identity_settings').select('rules').where('id', '=', ROW_ID).executeTakeFirst();
  return row ? (JSON.parse(row.rules) as IdentityRules) : DEFAULT_RULES;
}

/** Saves rules already shaped by the route schema, after the checks a schema cannot express. */
export async function saveRules(db: Db, rules: IdentityRules, now: number): Promise<IdentityRules> {
  const types = rules.identifiers.map((r) => r.type);
  const twice = types.find((t, i) => types.indexOf(t) !== i);
  if (twice) throw new AppError('invalid_rules', 400, `identifier type "${twice}" is declared twice`, { type: twice });
  if (!rules.identifiers.some((r) => r.link))
    throw new AppError('invalid_rules', 400, 'at least one identifier type must link profiles (link: true)');
  const text = JSON.stringify(rules);
  await db
    .insertInto('identity_settings')
    .values({ id: ROW_ID, rules: text, updated_at: now })
    .onConflict((oc) => oc.column('id').doUpdateSet({ rules: text, updated_at: now }))
    .execute();
  return rules;
}
