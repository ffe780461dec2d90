// Field encryption of the identity graph and the profile store: what of a profile is sealed and what is
// kept as a blind index, in one place the stores share. Without a KEK there is no vault and everything is
// stored in clear, as before. With one:
// - an identifier of a classified type (email, phone, …) is keyed `type:bi1.<HMAC>` in the graph
//   (identity_identifiers.key, profile identifier lists, merges, decisions, separations) and its value
//   is sealed in identity_identifiers.value — the only place it can be read back from;
// - a profile's folded state (identity_profiles.state) is sealed as a whole;
// - each classified trait in profiles.traits is sealed, and its blind index kept in profiles.pii_index
//   for segment equality rules; search terms of classified traits are blind indexes (exact match only).
// The vault is found from the store's dialect object (one per open store, passed everywhere the stores
// read profiles), so readers in every capability open values without another constructor argument.
import type { Kysely } from 'kysely';
import type { Database } from '../../storage/index.js';
import { AppError } from '../errors.js';
import { keyIdOf } from './envelope.js';
import type { FieldCipher } from './field-cipher.js';
import { BLIND_INDEX_PREFIX, normaliseForIndex } from './blind-index.js';

/** The classification (privacy/classification): the PII kind of a field or identifier type. */
export interface FieldKinds {
  kindOf(field: string): string | undefined;
}

const vaults = new WeakMap<object, PiiVault>();

/** Where the classification is read: the caller's transaction when it holds one (see codec). */
export type KindsReader = (q?: Kysely<Database>) => Promise<FieldKinds>;

export class PiiVault {
  constructor(
    readonly cipher: FieldCipher,
    private readonly kinds: KindsReader,
  ) {}

  /** Binds the vault to a store (its dialect object): stores and readers find it with vaultOf. */
  attach(store: object): this {
    vaults.set(store, this);
    return this;
  }

  /**
   * What to seal and index under the classification in force now (cached by the classification store).
   * Inside a transaction pass it as `q`: on SQLite a read through the store's one connection would wait
   * for that transaction to end.
   */
  async codec(defaultCountry: string, q?: Kysely<Database>): Promise<PiiCodec> {
    return new PiiCodec(this.cipher, await this.kinds(q), defaultCountry);
  }
}

export const vaultOf = (store: object): PiiVault | undefined => vaults.get(store);

/** The value part of a graph key is a blind index (`email:bi1.…`): its value is in identity_identifiers.value. */
export const isBlindKey = (key: string) => key.startsWith(BLIND_INDEX_PREFIX, key.indexOf(':') + 1);

export class PiiCodec {
  private readonly indexes = new Map<string, string>();

  constructor(
    private readonly cipher: FieldCipher,
    private readonly kinds: FieldKinds,
    readonly defaultCountry: string,
  ) {}

  kindOf(field: string): string | undefined {
    return this.kinds.kindOf(field);
  }

  /** The graph key of an identifier (value already normalised by the identity rules). */
  identifierKey(type: string, value: string): string {
    return this.kinds.kindOf(type) ? `${type}:${this.cipher.blindIndex.of(`${type}:${value}`)}` : `${type}:${value}`;
  }

  /** The blind index of a classified trait's value (undefined when the field is not classified). */
  traitIndex(field: string, value: unknown): string | undefined {
    const kind = this.kinds.kindOf(field);
    return kind === undefined ? undefined : this.valueIndex(kind, value);
  }

  valueIndex(kind: string, value: unknown): string {
    // A codec lives for one batch, where the same values come back (a profile's traits and its search
    // terms, a person's events): phone parsing and the HMAC are done once per value.
    const memoKey = `${kind}\u0000${typeof value === 'string' ? value : JSON.stringify(value)}`;
    let index = this.indexes.get(memoKey);
    if (index === undefined) {
      index = this.cipher.blindIndex.of(`${kind}:${normaliseForIndex(kind, value, this.defaultCountry)}`);
      this.indexes.set(memoKey, index);
    }
    return index;
  }

  seal(plain: string): { sealed: string; keyId: string } {
    return this.cipher.seal(plain);
  }

  /**
   * profiles.traits with each classified trait sealed (its JSON text), and the blind indexes of those
   * traits; `index` and `keyId` are null when the profile has no classified trait (nothing sealed).
   */
  sealTraits(traits: Record<string, unknown>): { traits: Record<string, unknown>; index: Record<string, string> | null; keyId: string | null } {
    const out: Record<string, unknown> = {};
    let index: Record<string, string> | null = null;
    for (const [name, value] of Object.entries(traits)) {
      const kind = value === null || value === undefined ? undefined : this.kinds.kindOf(name);
      if (kind === undefined) {
        out[name] = value;
        continue;
      }
      out[name] = this.cipher.seal(JSON.stringify(value)).sealed;
      (index ??= {})[name] = this.valueIndex(kind, value);
    }
    return { traits: out, index, keyId: index ? this.cipher.activeKeyId : null };
  }
  /**
   * profile_events.properties (an event's properties, an identify's traits) with each classified top-level
   * property sealed, as JSON text; the text unchanged when none is. No blind index: rules on event
   * properties cannot compare sealed values (EncryptedTraits refuses them), only test their presence.
   */
  sealProperties(json: string): { json: string; keyId: string | null } {
    const properties = JSON.parse(json) as unknown;
    if (properties === null || typeof properties !== 'object' || Array.isArray(properties)) return { json, keyId: null };
    let sealed: Record<string, unknown> | undefined;
    for (const [name, value] of Object.entries(properties)) {
      if (value === null || value === undefined || this.kinds.kindOf(name) === undefined) continue;
      (sealed ??= { ...(properties as Record<string, unknown>) })[name] = this.cipher.seal(JSON.stringify(value)).sealed;
    }
    return sealed ? { json: JSON.stringify(sealed), keyId: this.cipher.activeKeyId } : { json, keyId: null };
  }
}

/** Whether a stored string is a sealed value (`enc1.<key>.<nonce>.<ciphertext>.<tag>`). */
export const isSealed = (v: unknown): v is string => typeof v === 'string' && keyIdOf(v) !== undefined;

function needVault(store: object): PiiVault {
  const vault = vaultOf(store);
  if (!vault) throw new AppError('encryption_not_configured', 409, 'profile data is encrypted: set MERIDIAN_KEK to read it');
  return vault;
}

/** A trait map read from profiles.traits (or properties from profile_events), classified values opened. */
export async function openTraits(store: object, traits: Record<string, unknown>): Promise<Record<string, unknown>> {
  const sealed = Object.entries(traits).filter(([, v]) => isSealed(v));
  if (sealed.length === 0) return traits;
  const cipher = needVault(store).cipher;
  const out = { ...traits };
  for (const [name, v] of sealed) out[name] = JSON.parse(await cipher.open(v as string));
  return out;
}

/** A JSON column that is sealed as a whole when a KEK is set (identity_profiles.state), parsed. */
export async function openJson<T>(store: object, text: string): Promise<T> {
  return JSON.parse(isSealed(text) ? await needVault(store).cipher.open(text) : text) as T;
}

/** Identifier values of graph keys: blind keys are looked up in identity_identifiers.value by the caller. */
export async function openValue(store: object, value: string): Promise<string> {
  return isSealed(value) ? needVault(store).cipher.open(value) : value;
}
