// Meta Custom Audiences normalisation (Marketing API "Hashing and Normalizing Data"): every key is
// trimmed and lowercased; PHONE is digits only with the country code and no leading zeros; FN/LN keep
// letters (UTF-8 allowed) without punctuation; CT drops spaces and punctuation; ST is the 2-letter
// code; ZIP has no spaces (US: the first 5 digits); COUNTRY is ISO 3166-1 alpha-2. EXTERN_ID and
// MADID are sent as they are, all other keys as SHA-256.
import { sha256Hex } from './sha256.js';
import { toE164 } from './phone.js';

export const META_KEYS = ['EMAIL', 'PHONE', 'FN', 'LN', 'CT', 'ST', 'ZIP', 'COUNTRY', 'EXTERN_ID', 'MADID'] as const;
export type MetaKey = (typeof META_KEYS)[number];

const lettersOnly = (s: string) => s.trim().toLowerCase().replace(/[^\p{L}\p{M}]/gu, '');

export const metaNormalise: Record<MetaKey, (raw: string, country?: string) => string | undefined> = {
  EMAIL: (s) => s.trim().toLowerCase() || undefined,
  PHONE: (s, country) => {
    const e164 = toE164(s, country);
    if (e164) return e164.slice(1);
    const digits = s.replace(/\D/g, '').replace(/^0+/, '');
    return digits || undefined;
  },
  FN: (s) => lettersOnly(s) || undefined,
  LN: (s) => lettersOnly(s) || undefined,
  CT: (s) => lettersOnly(s) || undefined,
  ST: (s) => s.trim().toLowerCase().replace(/[^\p{L}\p{N}]/gu, '') || undefined,
  ZIP: (s, country) => {
    const z = s.trim().toLowerCase().replace(/[\s-]/g, '');
    if (!z) return undefined;
    return (country ?? '').trim().toLowerCase() === 'us' ? z.slice(0, 5) : z;
  },
  COUNTRY: (s) => (/^[a-z]{2}$/.test(s.trim().toLowerCase()) ? s.trim().toLowerCase() : undefined),
  EXTERN_ID: (s) => s.trim() || undefined,
  MADID: (s) => s.trim().toLowerCase() || undefined,
};

const UNHASHED: ReadonlySet<MetaKey> = new Set(['EXTERN_ID', 'MADID']);

/** The value Meta expects in a data row for `key`: normalised, then hashed unless the key is sent raw. */
export function metaValue(key: MetaKey, raw: string | undefined, country?: string): string {
  if (raw === undefined) return '';
  const normalised = metaNormalise[key](raw, country);
  if (normalised === undefined) return '';
  return UNHASHED.has(key) ? normalised : sha256Hex(normalised);
}
