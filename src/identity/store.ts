// All SQL of identity resolution: loading the slice of the graph a batch touches (one query per table,
// never per event) and writing a session's outputs back, on SQLite and PostgreSQL alike.
import { sql, type Transaction } from 'kysely';
import { chunkRows, insertRows, type Database, type Dialect } from '../storage/index.js';
import { isStored, computedValue, traitValues, type ComputedTraitDefinition, type ProfileState } from '../profiles/fold.js';
import { splitKey } from './identifiers.js';
import { isBlindKey, openJson, type PiiCodec } from '../shared/encryption/pii-vault.js';
import type { CanonicalKey } from './components.js';
import type { ChangeRow, IdentifierRecord, ProfileRecord, ResolutionSession } from './session.js';
import type { Separations } from './resolve.js';

type Trx = Transaction<Database>;

export const inChunks = async <T>(dialect: Dialect, list: T[], run: (chunk: T[]) => Promise<void>) => {
  for (const chunk of chunkRows(list, 1, dialect)) if (chunk.length > 0) await run(chunk);
};

export async function loadSeparations(trx: Trx): Promise<Separations> {
  const rows = await trx.selectFrom('identity_separations').select(['a', 'b']).execute();
  const map = new Map<string, Set<string>>();
  const add = (x: string, y: string) => (map.get(x) ?? map.set(x, new Set()).get(x)!).add(y);
  for (const r of rows) {
    add(r.a, r.b);
    add(r.b, r.a);
  }
  return map;
}

export async function loadSourceTypes(trx: Trx): Promise<Map<string, string>> {
  const rows = await trx.selectFrom('sources').select(['id', 'type']).execute();
  return new Map(rows.map((r) => [r.id, r.type]));
}

export interface Slice {
  identifiers: Map<string, IdentifierRecord>;
  profiles: Map<string, ProfileRecord>;
  last: Map<string, CanonicalKey>;
}

/** The graph slice reachable from these identifiers: their rows, their profiles, their components. */
export async function loadSlice(trx: Trx, dialect: Dialect, keys: string[]): Promise<Slice> {
  const identifiers = new Map<string, IdentifierRecord>();
  await inChunks(dialect, keys, async (chunk) => {
    const rows = await trx
      .selectFrom('identity_identifiers')
      .select(['key', 'profile_id', 'component_id', 'since_ts', 'since_tie'])
      .where('key', 'in', chunk)
      .execute();
    for (const r of rows)
      identifiers.set(r.key, {
        profileId: r.profile_id,
        componentId: r.component_id,
        since: r.since_ts === null || r.since_tie === null ? null : { ts: Number(r.since_ts), tie: r.since_tie },
      });
  });
  const profileIds = [...new Set([...identifiers.values()].map((r) => r.profileId).filter((p): p is string => p !== null))];
  const profiles = await loadProfiles(trx, dialect, profileIds);
  for (const p of profiles.values())
    // Identifiers the batch does not carry: their `since` is not read (only an event's own identifiers' is).
    for (const key of p.identifiers) if (!identifiers.has(key)) identifiers.set(key, { profileId: p.id, componentId: p.componentId, since: null });
  const componentIds = [...new Set([...identifiers.values()].map((r) => r.componentId))];
  const last = new Map<string, CanonicalKey>();
  await inChunks(dialect, componentIds, async (chunk) => {
    const rows = await trx.selectFrom('identity_components').selectAll().where('id', 'in', chunk).execute();
    for (const r of rows) last.set(r.id, { ts: Number(r.last_ts), tie: r.last_tie });
  });
  return { identifiers, profiles, last };
}

export async function loadProfiles(trx: Trx, dialect: Dialect, ids: string[]): Promise<Map<string, ProfileRecord>> {
  const profiles = new Map<string, ProfileRecord>();
  await inChunks(dialect, ids, async (chunk) => {
    const rows = await trx.selectFrom('identity_profiles').selectAll().where('profile_id', 'in', chunk).execute();
    for (const r of rows)
      profiles.set(r.profile_id, {
        id: r.profile_id,
        componentId: r.component_id,
        identifiers: new Set(JSON.parse(r.identifiers) as string[]),
        state: await openJson<ProfileState>(dialect, r.state),
      });
  });
  return profiles;
}

/** `col = CASE col WHEN from THEN to … ELSE col END` over rows whose col is one of the map's keys. */
async function rename(
  trx: Trx,
  dialect: Dialect,
  table: 'identity_identifiers' | 'identity_profiles' | 'identity_merges' | 'identity_decisions' | 'profile_events',
  column: 'component_id' | 'profile_id',
  map: Map<string, string>,
) {
  const pairs = [...map];
  for (let i = 0; i < pairs.length; i += 1000) {
    const chunk = pairs.slice(i, i + 1000);
    const cases = sql.join(chunk.map(([from, to]) => sql`WHEN ${from} THEN ${to}`), sql` `);
    await sql`UPDATE ${sql.table(table)} SET ${sql.ref(column)} = CASE ${sql.ref(column)} ${cases} ELSE ${sql.ref(column)} END
      WHERE ${sql.ref(column)} IN (${sql.join(chunk.map(([from]) => from))})`.execute(trx);
  }
}

export interface WriteOptions {
  now: number;
  defs: readonly ComputedTraitDefinition[];
  /** Maps a component id seen during the batch to its final root. */
  componentRoot: (id: string) => string;
  /** Components absorbed into another (old → root). */
  renamedComponents: Map<string, string>;
  lastKeys: Map<string, CanonicalKey>;
  /** Change rows to append (the session's own in the fast path; a diff after a replay). */
  changes: ChangeRow[];
  /** Field encryption (undefined without a KEK): what is sealed and blind-indexed. */
  codec?: PiiCodec;
  /** Plain values of the blind-keyed identifiers the session saw, sealed into identity_identifiers.value. */
  values?: Map<string, string>;
}

/** Persists what a session did; the caller has removed rows a replay supersedes. */
export async function writeSession(trx: Trx, dialect: Dialect, s: ResolutionSession, o: WriteOptions): Promise<void> {
  const root = o.componentRoot;
  if (o.renamedComponents.size > 0)
    for (const table of ['identity_identifiers', 'identity_profiles', 'identity_merges', 'identity_decisions'] as const)
      await rename(trx, dialect, table, 'component_id', o.renamedComponents);

  const profileRenames = new Map([...s.mergedInto.keys()].map((id) => [id, s.finalId(id)] as [string, string]));
  if (profileRenames.size > 0) {
    for (const table of ['profile_events', 'identity_merges', 'identity_decisions'] as const)
      await rename(trx, dialect, table, 'profile_id', profileRenames);
    const gone = [...profileRenames.keys()];
    await inChunks(dialect, gone, async (chunk) => {
      await trx.deleteFrom('profiles').where('id', 'in', chunk).execute();
      await trx.deleteFrom('identity_profiles').where('profile_id', 'in', chunk).execute();
      await trx.deleteFrom('profile_search').where('profile_id', 'in', chunk).execute();
    });
  }

  const idRows = [...s.touchedKeys].map((key) => {
    const r = s.identifiers.get(key)!;
    const { type, value: keyValue } = splitKey(key);
    const plain = o.values?.get(key);
    // A blind key the batch did not carry is already stored (only its profile changes): the conflict
    // update below keeps its sealed value.
    const sealed = o.codec && isBlindKey(key) ? (plain === undefined ? { sealed: keyValue, keyId: null } : o.codec.seal(plain)) : undefined;
    return {
      key,
      type,
      value: sealed ? sealed.sealed : keyValue,
      value_key: sealed ? sealed.keyId : null,
      profile_id: r.profileId === null ? null : s.finalId(r.profileId),
      component_id: root(r.componentId),
      since_ts: r.since?.ts ?? null,
      since_tie: r.since?.tie ?? null,
    };
  });
  await insertRows(trx, dialect, 'identity_identifiers', ['key', 'type', 'value', 'value_key', 'profile_id', 'component_id', 'since_ts', 'since_tie'], idRows,
    'ON CONFLICT (key) DO UPDATE SET profile_id = excluded.profile_id, component_id = excluded.component_id, since_ts = excluded.since_ts, since_tie = excluded.since_tie');

  const live = [...s.touchedProfiles].map((id) => s.profiles.get(id)!).filter(Boolean);
  await writeProfiles(trx, dialect, live, o.defs, o.now, root, o.codec);

  const searchIds = [...s.traitsChanged].filter((id) => s.profiles.has(id));
  await inChunks(dialect, searchIds, async (chunk) => {
    await trx.deleteFrom('profile_search').where('profile_id', 'in', chunk).execute();
  });
  const terms = searchIds.flatMap((id) => searchTerms(s.profiles.get(id)!.state, o.codec).map((term) => ({ profile_id: id, term })));
  await insertRows(trx, dialect, 'profile_search', ['profile_id', 'term'], terms, 'ON CONFLICT DO NOTHING');

  const timeline = s.timeline.map((t) => {
    const properties = o.codec ? o.codec.sealProperties(t.propertiesJson) : { json: t.propertiesJson, keyId: null };
    return { seq: t.seq, profile_id: s.finalId(t.profileId), type: t.type, event: t.event, ts: t.ts, properties: properties.json, properties_key: properties.keyId };
  });
  await insertRows(trx, dialect, 'profile_events', ['seq', 'profile_id', 'type', 'event', 'ts', 'properties', 'properties_key'], timeline,
    'ON CONFLICT (seq) DO UPDATE SET profile_id = excluded.profile_id');

  const changes = o.changes.map((c) => ({ profile_id: c.profileId, kind: c.kind, event_seq: c.eventSeq, other_profile_id: c.otherProfileId, at: o.now }));
  await insertRows(trx, dialect, 'profile_changes', ['profile_id', 'kind', 'event_seq', 'other_profile_id', 'at'], changes);

  const merges = s.merges.map((m) => ({
    component_id: root(m.componentId),
    profile_id: s.finalId(m.into),
    into_profile_id: m.into,
    merged_profile_id: m.merged,
    event_seq: m.eventSeq,
    identifiers: JSON.stringify(m.identifiers),
    at: m.at,
  }));
  await insertRows(trx, dialect, 'identity_merges', ['component_id', 'profile_id', 'into_profile_id', 'merged_profile_id', 'event_seq', 'identifiers', 'at'], merges);

  const decisions = s.decisions.map((d) => ({
    component_id: d.componentId === null ? null : root(d.componentId),
    event_seq: d.eventSeq,
    profile_id: d.profileId === null ? null : s.finalId(d.profileId),
    identifier: d.identifier,
    reason: d.reason,
    at: d.at,
  }));
  await insertRows(trx, dialect, 'identity_decisions', ['component_id', 'event_seq', 'profile_id', 'identifier', 'reason', 'at'], decisions);

  if (o.renamedComponents.size > 0)
    await inChunks(dialect, [...o.renamedComponents.keys()], async (chunk) => {
      await trx.deleteFrom('identity_components').where('id', 'in', chunk).execute();
    });
  const comps = [...o.lastKeys].map(([id, k]) => ({ id, last_ts: k.ts, last_tie: k.tie }));
  await insertRows(trx, dialect, 'identity_components', ['id', 'last_ts', 'last_tie'], comps,
    'ON CONFLICT (id) DO UPDATE SET last_ts = excluded.last_ts, last_tie = excluded.last_tie');
}


/** Upserts the resolution state and the contract `profiles` row of each profile. */
export async function writeProfiles(
  trx: Trx,
  dialect: Dialect,
  live: ProfileRecord[],
  defs: readonly ComputedTraitDefinition[],
  now: number,
  root: (componentId: string) => string = (c) => c,
  /** Field encryption: the state sealed whole, classified traits sealed and blind-indexed. */
  codec?: PiiCodec,
): Promise<void> {
  const stateRows = live.map((p) => {
    const state = JSON.stringify(p.state);
    const sealed = codec?.seal(state);
    return {
      profile_id: p.id,
      component_id: root(p.componentId),
      identifiers: JSON.stringify([...p.identifiers].sort()),
      state: sealed ? sealed.sealed : state,
      state_key: sealed ? sealed.keyId : null,
    };
  });
  await insertRows(trx, dialect, 'identity_profiles', ['profile_id', 'component_id', 'identifiers', 'state', 'state_key'], stateRows,
    'ON CONFLICT (profile_id) DO UPDATE SET component_id = excluded.component_id, identifiers = excluded.identifiers, state = excluded.state, state_key = excluded.state_key');
  const stored = defs.filter(isStored);
  const profileRows = live.map((p) => {
    const plain = traitValues(p.state);
    const sealed = codec?.sealTraits(plain);
    return {
      id: p.id,
      traits: JSON.stringify(sealed ? sealed.traits : plain),
      pii_key: sealed?.keyId ?? null,
      pii_index: sealed?.index ? JSON.stringify(sealed.index) : null,
      computed: JSON.stringify(Object.fromEntries(stored.map((d) => [d.name, computedValue(d, p.state.aggs[d.name], now)]))),
      created_at: p.state.firstSeen ?? now,
      updated_at: now,
    };
  });
  await insertRows(trx, dialect, 'profiles', ['id', 'traits', 'pii_key', 'pii_index', 'computed', 'created_at', 'updated_at'], profileRows,
    'ON CONFLICT (id) DO UPDATE SET traits = excluded.traits, pii_key = excluded.pii_key, pii_index = excluded.pii_index, computed = excluded.computed, created_at = excluded.created_at, updated_at = excluded.updated_at');

}

/**
 * Lower-cased string trait values, for prefix search (GET /v1/profiles?q=). Under field encryption a
 * classified trait's term is its blind index: found by an exact match only (reader.ts).
 */
function searchTerms(state: ProfileState, codec: PiiCodec | undefined): string[] {
  const terms = new Set<string>();
  for (const [name, t] of Object.entries(state.traits)) {
    if (typeof t.value !== 'string' || t.value.trim() === '') continue;
    terms.add(codec?.traitIndex(name, t.value) ?? t.value.trim().toLowerCase().slice(0, 200));
  }
  return [...terms];
}
