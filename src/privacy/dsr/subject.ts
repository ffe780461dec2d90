// Who a data-subject request is about: from one identifier to the profile(s), every identifier, the
// log offsets of every event and the values to look for in stored payloads. Also the keyed hash that
// names the subject without its value (request log, suppression list).
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Db, Dialect } from '../../storage/index.js';
import { loadRules, lookupKey, revealKeys, splitKey, storedKeys } from '../../identity/index.js';
import { openTraits } from '../../shared/encryption/pii-vault.js';

export interface Subject {
  profileIds: string[];
  components: string[];
  /** Identifier keys (`type:value`), normalised. */
  keys: string[];
  userIds: string[];
  anonymousIds: string[];
  emails: string[];
  /** Values searched for in payloads stored as text (identifier values, raw email/phone traits). */
  texts: string[];
  /** What the byte search after compaction looks for (byte-search.ts): `texts` and the person's name traits. */
  proofValues: string[];
  seqs: number[];
  /** Keyed hashes of every key (matches privacy_requests.subject_hash and the suppression list). */
  hashes: string[];
}

/** Keyed hash (HMAC-SHA-256 under an installation key) of an identifier key: the same key always gives the same hash. */
export const keyedHash = (hashKey: Buffer, key: string) => createHmac('sha256', hashKey).update(key).digest('hex');

/** Proof of a request without its subject: a fresh salt and sha256(salt ‖ key). */
export function saltedProof(key: string): { salt: string; hash: string } {
  const salt = randomBytes(16).toString('hex');
  return { salt, hash: createHash('sha256').update(salt).update(key).digest('hex') };
}

/** The normalised key of `type`/`value` under the workspace's identity rules (throws unknown_identifier_type / invalid_identifier). */
export async function subjectKey(db: Db, type: string, value: string): Promise<string> {
  return lookupKey(await loadRules(db), type, value);
}

const PERSONAL_TRAITS = /^(email|phone|mobile)$/i;
/** Traits also searched for in the files after a delete (never matched against other rows: a name is not unique). */
const NAME_TRAITS = /^(name|first_?name|last_?name|full_?name)$/i;

export async function resolveSubject(db: Db, dialect: Dialect, hashKey: Buffer, key: string): Promise<Subject> {
  // Under field encryption a classified identifier is keyed by its blind index in the graph.
  const [graphKey] = await storedKeys(dialect, await loadRules(db), [key]);
  const owner = await db.selectFrom('identity_identifiers').select(['profile_id', 'component_id']).where('key', '=', graphKey).executeTakeFirst();
  const profileIds = owner?.profile_id ? [owner.profile_id] : [];
  const keys = new Set([key]);
  const components = new Set<string>();
  const texts = new Set<string>();
  const names = new Set<string>();
  if (profileIds.length > 0) {
    const [graph, state, profile] = await Promise.all([
      db.selectFrom('identity_identifiers').select(['key', 'component_id']).where('profile_id', 'in', profileIds).execute(),
      db.selectFrom('identity_profiles').select(['identifiers', 'component_id']).where('profile_id', 'in', profileIds).execute(),
      db.selectFrom('profiles').select('traits').where('id', 'in', profileIds).execute(),
    ]);
    for (const g of graph) {
      keys.add(g.key);
      components.add(g.component_id);
    }
    for (const s of state) {
      components.add(s.component_id);
      for (const k of JSON.parse(s.identifiers) as string[]) keys.add(k);
    }
    // Under field encryption the graph keys classified identifiers by blind index: the subject has both,
    // the graph's key (rows to delete) and the value (searched for in payloads and files).
    for (const ref of (await revealKeys(db, dialect, [...keys])).values()) keys.add(`${ref.type}:${ref.value}`);
    for (const p of profile)
      for (const [name, value] of Object.entries(await openTraits(dialect, dialect.parseJson(p.traits) as Record<string, unknown>)))
        if (typeof value === 'string' && value.trim().length >= 3) {
          if (PERSONAL_TRAITS.test(name)) texts.add(value);
          else if (NAME_TRAITS.test(name)) names.add(value);
        }
  }
  const byType = (type: string) => [...keys].map(splitKey).filter((k) => k.type === type).map((k) => k.value);
  const userIds = byType('user_id');
  const anonymousIds = byType('anonymous_id');
  for (const k of keys) {
    const { value } = splitKey(k);
    if (value.length >= 3) texts.add(value);
  }

  const seqs = new Set<number>();
  for (let i = 0; i < profileIds.length; i += 500) {
    const rows = await db.selectFrom('profile_events').select('seq').where('profile_id', 'in', profileIds.slice(i, i + 500)).execute();
    for (const r of rows) seqs.add(Number(r.seq));
  }
  for (const [column, values] of [['user_id', userIds], ['anonymous_id', anonymousIds]] as const)
    for (let i = 0; i < values.length; i += 500) {
      const rows = await sql<{ seq: number }>`SELECT seq FROM events WHERE ${sql.ref(column)} IN (${sql.join(values.slice(i, i + 500))})`.execute(db);
      for (const r of rows.rows) seqs.add(Number(r.seq));
    }
  return {
    profileIds,
    components: [...components],
    keys: [...keys],
    userIds,
    anonymousIds,
    emails: byType('email'),
    texts: [...texts],
    proofValues: [...new Set([...texts, ...names])],
    seqs: [...seqs].sort((a, b) => a - b),
    hashes: [...keys].map((k) => keyedHash(hashKey, k)),
  };
}
