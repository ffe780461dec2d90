// The keyed blind index of field encryption: an HMAC-SHA256 of a normalised value under a random index
// key, stored beside (or instead of) a sealed value wherever the store needs equality — identifier keys
// of the identity graph, PII trait values a segment compares, exact-match search terms. Unlike a sealed
// value it is deterministic, so `=` and `IN` work in SQL; it reveals only which stored values are equal.
// The index key is wrapped under the KEK (privacy_index_keys) and never changes: a new key would change
// every index value. Values are normalised the way identity resolution normalises them first.
import { createHmac, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

export const BLIND_INDEX_PREFIX = 'bi1.';
/** 128 bits of the HMAC: no collision among any realistic number of values, a short index. */
const BYTES = 16;

export class BlindIndex {
  /** The key object is made once: HMACs run for every identifier of every event. */
  private readonly key: KeyObject;

  constructor(
    readonly id: string,
    key: Buffer,
  ) {
    if (key.length !== 32) throw new Error('a blind index key is 32 bytes');
    this.key = createSecretKey(key);
  }

  static random(id: string): { index: BlindIndex; key: Buffer } {
    const key = randomBytes(32);
    return { index: new BlindIndex(id, key), key };
  }

  /** `bi1.<base64url of the first 16 bytes of HMAC-SHA256(key, text)>` — `text` already normalised. */
  of(text: string): string {
    return BLIND_INDEX_PREFIX + createHmac('sha256', this.key).update(text, 'utf8').digest().subarray(0, BYTES).toString('base64url');
  }
}

export const isBlindIndex = (v: unknown): v is string => typeof v === 'string' && v.startsWith(BLIND_INDEX_PREFIX);

/**
 * A classified value in the form equality compares: an email trimmed and lower-cased, a phone in E.164
 * (as identity resolution normalises them; `defaultCountry` from the identity rules), any other kind
 * trimmed and lower-cased (so `Jane Doe` and `jane doe` are one name). Non-strings by their JSON text.
 */
export function normaliseForIndex(kind: string, value: unknown, defaultCountry: string): string {
  if (typeof value !== 'string') return JSON.stringify(value);
  const trimmed = value.trim();
  if (kind === 'phone') {
    const phone = parsePhoneNumberFromString(trimmed, defaultCountry as CountryCode);
    if (phone?.isPossible()) return phone.number;
    return trimmed;
  }
  return trimmed.toLowerCase();
}
