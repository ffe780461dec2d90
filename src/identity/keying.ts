// Graph keys under field encryption (shared/encryption/pii-vault.ts): an identifier of a classified type
// (email, phone, …) is keyed by its blind index, `email:bi1.<HMAC of "email:<normalised value>">`, so
// resolution, lookups and merges compare keys as before while the graph holds no plaintext value.
// The classification decides which types: the rules' JSON a batch carries names them, so a batch
// prepared under another classification is prepared again (input-feed.ts, engine.ts).
import type { Transaction } from 'kysely';
import type { Database, Db, Dialect } from '../storage/index.js';
import type { BlindIndex } from '../shared/encryption/blind-index.js';
import { isBlindKey, openValue, vaultOf, type PiiCodec } from '../shared/encryption/pii-vault.js';
import { identifierKey, splitKey } from './identifiers.js';
import type { IdentityRules } from './schema.js';

export type KeyOf = (type: string, value: string) => string;

/** How an identifier's graph key is made: in clear, or its blind index for `piiTypes`. */
export function keyOfFor(piiTypes: readonly string[], index: BlindIndex | undefined): KeyOf {
  if (!index || piiTypes.length === 0) return identifierKey;
  const pii = new Set(piiTypes);
  return (type, value) => (pii.has(type) ? `${type}:${index.of(`${type}:${value}`)}` : `${type}:${value}`);
}

/** The rules as a batch carries them: their JSON and, under field encryption, the blind-indexed types. */
export const rulesJsonOf = (rules: IdentityRules, piiTypes: readonly string[]) =>
  piiTypes.length === 0 ? JSON.stringify(rules) : `${JSON.stringify(rules)}\n${piiTypes.join(',')}`;

export function parseRulesJson(text: string): { rules: IdentityRules; piiTypes: string[] } {
  const nl = text.indexOf('\n');
  if (nl < 0) return { rules: JSON.parse(text) as IdentityRules, piiTypes: [] };
  return { rules: JSON.parse(text.slice(0, nl)) as IdentityRules, piiTypes: text.slice(nl + 1).split(',') };
}

export interface Keying {
  /** Undefined without a KEK. */
  codec: PiiCodec | undefined;
  piiTypes: string[];
  keyOf: KeyOf;
  json: string;
}

/** The keying in force for these rules on this store (one classification read, cached; `q`: the caller's transaction). */
export async function keyingOf(dialect: Dialect | undefined, rules: IdentityRules, q?: Db | Transaction<Database>): Promise<Keying> {
  const vault = dialect && vaultOf(dialect);
  const codec = vault && (await vault.codec(rules.defaultCountry, q));
  const piiTypes = codec ? rules.identifiers.map((r) => r.type).filter((t) => codec.kindOf(t) !== undefined) : [];
  return { codec, piiTypes, keyOf: keyOfFor(piiTypes, vault?.cipher.blindIndex), json: rulesJsonOf(rules, piiTypes) };
}

/** The stored key of a plain `type:value` key (a lookup, an unmerge request). */
export async function storedKeys(dialect: Dialect, rules: IdentityRules, keys: string[]): Promise<string[]> {
  const { keyOf } = await keyingOf(dialect, rules);
  return keys.map((k) => {
    const { type, value } = splitKey(k);
    return keyOf(type, value);
  });
}

/**
 * `{ type, value }` of graph keys for display: a blind key's value is read from identity_identifiers
 * (sealed there); one that is not there any more (a dropped identifier) shows its blind index.
 */
export async function revealKeys(db: Db | Transaction<Database>, dialect: Dialect, keys: string[]): Promise<Map<string, { type: string; value: string }>> {
  const out = new Map<string, { type: string; value: string }>();
  const blind: string[] = [];
  for (const k of keys) {
    if (isBlindKey(k)) blind.push(k);
    else out.set(k, splitKey(k));
  }
  for (let i = 0; i < blind.length; i += 500) {
    const rows = await db.selectFrom('identity_identifiers').select(['key', 'type', 'value']).where('key', 'in', blind.slice(i, i + 500)).execute();
    for (const r of rows) out.set(r.key, { type: r.type, value: await openValue(dialect, r.value) });
  }
  for (const k of blind) if (!out.has(k)) out.set(k, splitKey(k));
  return out;
}
