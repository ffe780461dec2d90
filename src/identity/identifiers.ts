// Reads a message's identifiers where the rules say they are and normalises them, so that the same
// person's email or phone written differently matches. Pure.
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import type { IdentifierRule, IdentityRules } from './schema.js';

export interface Identifier {
  type: string;
  value: string;
  /** `type:value`, the graph's key (types cannot contain ':'). */
  key: string;
  priority: number;
  link: boolean;
}

export const identifierKey = (type: string, value: string) => `${type}:${value}`;

export function splitKey(key: string): { type: string; value: string } {
  const i = key.indexOf(':');
  return { type: key.slice(0, i), value: key.slice(i + 1) };
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;

/** The normalised value, or null when the raw value cannot be this identifier (bad email/phone, empty). */
export function normaliseIdentifier(rule: Pick<IdentifierRule, 'normalise'>, raw: unknown, defaultCountry: string): string | null {
  if (typeof raw === 'number' && Number.isFinite(raw)) raw = String(raw);
  if (typeof raw !== 'string') return null;
  const trimmed = raw.trim();
  if (trimmed === '') return null;
  switch (rule.normalise) {
    case 'none':
      return raw;
    case 'trim':
      return trimmed;
    case 'lowercase':
      return trimmed.toLowerCase();
    case 'email': {
      const email = trimmed.toLowerCase();
      return EMAIL.test(email) ? email : null;
    }
    case 'phone': {
      const phone = parsePhoneNumberFromString(trimmed, defaultCountry as CountryCode);
      return phone?.isPossible() ? phone.number : null;
    }
  }
}

function valueAt(payload: Record<string, unknown>, path: readonly string[]): unknown {
  let cur: unknown = payload;
  for (const part of path) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

export interface Extracted {
  /** Distinct identifiers, linking ones first, then by priority (highest first), type, value. */
  ids: Identifier[];
  /** Values found where an identifier was expected but not usable. */
  invalid: { type: string; raw: string }[];
}

// Paths split once per rules object: extraction runs for every event.
const splitPaths = new WeakMap<IdentifierRule, string[][]>();
const pathsOf = (rule: IdentifierRule) => splitPaths.get(rule) ?? splitPaths.set(rule, rule.paths.map((p) => p.split('.'))).get(rule)!;

/**
 * `keyOf` makes the graph key; under field encryption it is the blind index of classified types
 * (keying.ts), and an unusable value of such a type is recorded by its blind index too.
 */
export function extractIdentifiers(payload: Record<string, unknown>, rules: IdentityRules, keyOf: (type: string, value: string) => string = identifierKey): Extracted {
  const byKey = new Map<string, Identifier>();
  const invalid: Extracted['invalid'] = [];
  for (const rule of rules.identifiers) {
    for (const path of pathsOf(rule)) {
      const raw = valueAt(payload, path);
      if (raw === undefined || raw === null) continue;
      const value = normaliseIdentifier(rule, raw, rules.defaultCountry);
      if (value === null) {
        if (typeof raw !== 'object') invalid.push({ type: rule.type, raw: splitKey(keyOf(rule.type, String(raw))).value });
        continue;
      }
      const key = keyOf(rule.type, value);
      if (!byKey.has(key)) byKey.set(key, { type: rule.type, value, key, priority: rule.priority, link: rule.link });
    }
  }
  return { ids: [...byKey.values()].sort(compareIdentifiers), invalid };
}

export function compareIdentifiers(a: Identifier, b: Identifier): number {
  if (a.link !== b.link) return a.link ? -1 : 1;
  if (a.priority !== b.priority) return b.priority - a.priority;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}
