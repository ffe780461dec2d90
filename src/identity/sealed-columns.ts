// The identity graph's and profile store's sealed columns, for key rotation (shared/encryption/reencrypt.ts):
// identity_identifiers.value, identity_profiles.state, the classified traits in profiles.traits and the
// classified properties in profile_events.properties move to
// the active data key in the background. Rows written in clear before a KEK was set are not moved one by
// one — their identifiers must be re-keyed by blind index everywhere the graph names them — but
// re-derived: the first start with a KEK rebuilds identity from the event log (sealIdentityAtStart).
import type { Db, Dialect } from '../storage/index.js';
import type { SealedColumn } from '../shared/encryption/reencrypt.js';
import { isSealed } from '../shared/encryption/pii-vault.js';
import { resetIdentity } from './rebuild.js';
import type { Clock } from '../shared/clock.js';

type KeyedTable = 'identity_identifiers' | 'identity_profiles' | 'profiles' | 'profile_events';

interface Spec {
  table: KeyedTable;
  id: 'key' | 'profile_id' | 'id' | 'seq';
  value: 'value' | 'state' | 'traits' | 'properties';
  keyColumn: 'value_key' | 'state_key' | 'pii_key' | 'properties_key';
}

function column(db: Db, s: Spec, reseal?: SealedColumn['reseal']): SealedColumn {
  // Only sealed rows rotate (key column not null): rows in clear hold no classified value (a user id)
  // or predate the KEK (handled by the rebuild at start).
  // One body for three tables: Kysely cannot type a table and column chosen at run time.
  const q = () => db.selectFrom(s.table as any) as any;
  return {
    name: `${s.table}.${s.value}`,
    pending: async (activeKeyId, limit) => {
      const rows = (await q().select([`${s.id} as id`, `${s.value} as value`, `${s.keyColumn} as keyId`]).where(s.keyColumn, 'is not', null).where(s.keyColumn, '!=', activeKeyId).limit(limit).execute()) as { id: string; value: unknown; keyId: string }[];
      return rows.map((r) => ({ id: r.id, keyId: r.keyId, value: typeof r.value === 'string' ? r.value : JSON.stringify(r.value) }));
    },
    replace: async (id, fromKeyId, to) => {
      await (db.updateTable(s.table as any) as any).set({ [s.value]: to.sealed, [s.keyColumn]: to.keyId }).where(s.id, '=', id).where(s.keyColumn, fromKeyId === null ? 'is' : '=', fromKeyId).execute();
    },
    remaining: async (activeKeyId) => {
      const row = await q().select((eb: any) => eb.fn.countAll().as('n')).where(s.keyColumn, 'is not', null).where(s.keyColumn, '!=', activeKeyId).executeTakeFirstOrThrow();
      return Number(row.n);
    },
    reseal,
  };
}

/** A JSON object some of whose members are sealed (classified traits, classified event properties). */
const resealMembers: SealedColumn['reseal'] = async (value, cipher) => {
  const members = JSON.parse(value) as Record<string, unknown>;
  for (const [name, v] of Object.entries(members)) if (isSealed(v)) members[name] = cipher.seal(await cipher.open(v)).sealed;
  return { sealed: JSON.stringify(members), keyId: cipher.activeKeyId };
};

export function identitySealedColumns(db: Db): SealedColumn[] {
  return [
    column(db, { table: 'identity_identifiers', id: 'key', value: 'value', keyColumn: 'value_key' }),
    column(db, { table: 'identity_profiles', id: 'profile_id', value: 'state', keyColumn: 'state_key' }),
    column(db, { table: 'profiles', id: 'id', value: 'traits', keyColumn: 'pii_key' }, resealMembers),
    column(db, { table: 'profile_events', id: 'seq', value: 'properties', keyColumn: 'properties_key' }, resealMembers),
  ];
}

/**
 * With a KEK: when the graph holds profiles written in clear (the KEK was just set), forgets the derived
 * identity and profile rows so the identity stage re-derives them, sealed, from the event log in the
 * background. Returns whether it did.
 */
export async function sealIdentityAtStart(deps: { db: Db; dialect: Dialect; clock: Clock }): Promise<boolean> {
  const clear = await deps.db.selectFrom('identity_profiles').select('profile_id').where('state_key', 'is', null).limit(1).executeTakeFirst();
  if (!clear) return false;
  await resetIdentity(deps);
  return true;
}
