// The import mapping: which column feeds which part of a Segment message, and how its text is
// parsed. `compileMapping` turns a mapping into a pure row → message function that reports every
// problem of a row (a dry run shows them all, not only the first).
import { Type, type Static } from '@sinclair/typebox';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { AppError } from '../../shared/errors.js';
import { DATE_FORMATS, parseBoolean, parseCurrency, parseDate, parseNumber, ValueError, type DateFormat } from './parse-value.js';

export const IMPORT_KINDS = ['events', 'profiles'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];
export const IMPORT_FORMATS = ['csv', 'jsonl', 'whitespace'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

const VALUE_TYPES = ['string', 'number', 'integer', 'currency', 'date', 'boolean', 'phone', 'json'] as const;

const Target = Type.String({
  pattern: '^(userId|anonymousId|messageId|timestamp|event|email|phone|name|firstName|lastName|(properties|traits|context)\\.[^.].*)$',
  description: 'userId, anonymousId, messageId, timestamp, event, email, phone, name, firstName, lastName, properties.x, traits.x or context.x',
});

export const ColumnMapping = Type.Union([
  Target,
  Type.Object(
    {
      to: Target,
      type: Type.Optional(Type.Union(VALUE_TYPES.map((t) => Type.Literal(t)))),
      /** For dates: the layout of the text. */
      format: Type.Optional(Type.Union(DATE_FORMATS.map((f) => Type.Literal(f)))),
      /** For phones: the country assumed for numbers without a +country prefix (ISO 3166 code). */
      country: Type.Optional(Type.String({ minLength: 2, maxLength: 2 })),
      /** An empty cell is an error instead of being left out. */
      required: Type.Optional(Type.Boolean()),
    },
    { additionalProperties: false },
  ),
]);
export type ColumnMapping = Static<typeof ColumnMapping>;

export const ImportMapping = Type.Object(
  {
    kind: Type.Optional(Type.Union(IMPORT_KINDS.map((k) => Type.Literal(k)))),
    format: Type.Optional(Type.Union(IMPORT_FORMATS.map((f) => Type.Literal(f)))),
    /** CSV only: a delimiter other than ",". */
    delimiter: Type.Optional(Type.String({ minLength: 1, maxLength: 4 })),
    /** Column names for files without a header row (CSV/whitespace); for JSON Lines keys are the names. */
    columns: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })),
    /** The event name when no column maps to `event`. */
    event: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
    fields: Type.Record(Type.String(), ColumnMapping, { description: 'column name (or JSON key path) → target' }),
    /** Fixed values set on every message, e.g. {"properties.currency": "USD"}. */
    constants: Type.Optional(Type.Record(Target, Type.Unknown())),
  },
  { additionalProperties: false },
);
export type ImportMapping = Static<typeof ImportMapping>;

export interface RowProblem {
  column: string;
  code: string;
  message: string;
}

export type MapResult = { ok: true; message: Record<string, unknown> } | { ok: false; problems: RowProblem[] };

interface FieldRule {
  column: string;
  to: string;
  type: (typeof VALUE_TYPES)[number];
  format: DateFormat;
  country?: CountryCode;
  required: boolean;
}

const TOP_LEVEL = new Set(['userId', 'anonymousId', 'messageId', 'timestamp', 'event']);
const IDENTITY_TRAITS = new Set(['email', 'phone', 'name', 'firstName', 'lastName']);

/** Builds the row → Segment message function; rejects mappings that cannot produce valid messages. */
export function compileMapping(mapping: ImportMapping, kind: ImportKind): (row: Record<string, unknown>) => MapResult {
  const rules: FieldRule[] = Object.entries(mapping.fields).map(([column, m]) => {
    const spec = typeof m === 'string' ? { to: m } : m;
    return {
      column,
      to: spec.to,
      type: spec.type ?? defaultType(spec.to),
      format: spec.format ?? 'auto',
      country: spec.country?.toUpperCase() as CountryCode | undefined,
      required: spec.required ?? spec.to === 'timestamp',
    };
  });
  const targets = rules.map((r) => r.to).concat(Object.keys(mapping.constants ?? {}));
  if (!targets.includes('userId') && !targets.includes('anonymousId'))
    throw new AppError('invalid_mapping', 400, 'the mapping must map a column to userId or anonymousId', { field: 'fields' });
  if (kind === 'events' && !targets.includes('event') && !mapping.event)
    throw new AppError('invalid_mapping', 400, 'an events import needs "event" (a fixed name) or a column mapped to event', { field: 'event' });
  const traitRoot = kind === 'profiles' ? 'traits' : 'context.traits';
  const type = kind === 'profiles' ? 'identify' : 'track';
  // Paths are split once here, not once per row: the row function runs for every line of the file.
  const constants = Object.entries(mapping.constants ?? {}).map(([to, value]) => ({ keys: targetPath(to, traitRoot).split('.'), value }));
  const compiled = rules.map((rule) => {
    const target = targetPath(rule.to, traitRoot);
    // A currency amount also sets its sibling `currency` (properties.revenue → properties.currency).
    const sibling = rule.type === 'currency' && rule.to.includes('.') ? target.replace(/[^.]+$/, 'currency').split('.') : undefined;
    return { rule, keys: target.split('.'), sibling, columnKeys: rule.column.split('.') };
  });

  return (row) => {
    const message: Record<string, unknown> = { type };
    if (kind === 'events' && mapping.event) message.event = mapping.event;
    for (const c of constants) setPath(message, c.keys, c.value);
    let problems: RowProblem[] | undefined;
    for (const { rule, keys, sibling, columnKeys } of compiled) {
      const raw = rule.column in row ? row[rule.column] : getPath(row, columnKeys);
      const text = raw === undefined || raw === null ? '' : typeof raw === 'string' ? raw : undefined;
      if (text !== undefined && text.trim() === '') {
        if (rule.required) (problems ??= []).push({ column: rule.column, code: 'missing_value', message: `${rule.column} is empty` });
        continue;
      }
      try {
        const value = text === undefined ? typedValue(raw, rule) : parseText(text, rule);
        if (value === null) continue;
        if (rule.type === 'currency') {
          const { amount, currency } = value as { amount: number; currency: string | null };
          setPath(message, keys, amount);
          if (currency && sibling && getPath(message, sibling) === undefined) setPath(message, sibling, currency);
        } else {
          setPath(message, keys, value);
        }
      } catch (err) {
        if (!(err instanceof ValueError)) throw err;
        (problems ??= []).push({ column: rule.column, code: err.code, message: `${rule.column}: ${err.message}` });
      }
    }
    return problems ? { ok: false, problems } : { ok: true, message };
  };
}

function defaultType(to: string): FieldRule['type'] {
  if (to === 'timestamp') return 'date';
  if (to === 'phone') return 'phone';
  return 'string';
}

function targetPath(to: string, traitRoot: string): string {
  if (TOP_LEVEL.has(to)) return to;
  if (IDENTITY_TRAITS.has(to)) return `${traitRoot}.${to}`;
  if (to.startsWith('traits.') && traitRoot !== 'traits') return `context.${to}`;
  return to;
}

function parseText(text: string, rule: FieldRule): unknown {
  switch (rule.type) {
    case 'string':
      return text;
    case 'number':
      return parseNumber(text);
    case 'integer': {
      const n = parseNumber(text);
      if (n !== null && !Number.isInteger(n)) throw new ValueError('invalid_integer', `"${text}" is not a whole number`);
      return n;
    }
    case 'currency':
      return parseCurrency(text);
    case 'date':
      return new Date(parseDate(text, rule.format)).toISOString();
    case 'boolean':
      return parseBoolean(text);
    case 'phone': {
      const phone = parsePhoneNumberFromString(text, rule.country);
      if (!phone?.isValid()) throw new ValueError('invalid_phone', `"${text}" is not a valid phone number${rule.country ? ` for ${rule.country}` : ''}`);
      return phone.number;
    }
    case 'json':
      try {
        return JSON.parse(text);
      } catch {
        throw new ValueError('invalid_json', `"${text.slice(0, 40)}" is not JSON`);
      }
  }
}

/** JSON Lines values arrive typed already: check them instead of parsing text. */
function typedValue(raw: unknown, rule: FieldRule): unknown {
  if (rule.type === 'date' && typeof raw === 'number') return new Date(parseDate(String(raw), rule.format === 'auto' ? 'auto' : rule.format)).toISOString();
  if ((rule.type === 'number' || rule.type === 'currency') && typeof raw === 'number')
    return rule.type === 'currency' ? { amount: raw, currency: null } : raw;
  if (rule.type === 'integer' && Number.isInteger(raw)) return raw;
  if (rule.type === 'boolean' && typeof raw === 'boolean') return raw;
  if (rule.type === 'json' || rule.type === 'string') return rule.type === 'string' && typeof raw === 'number' ? String(raw) : raw;
  throw new ValueError('invalid_value', `${JSON.stringify(raw)} is not a ${rule.type}`);
}

function getPath(obj: Record<string, unknown>, keys: string[]): unknown {
  let cur: unknown = obj;
  for (const key of keys) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

function setPath(obj: Record<string, unknown>, keys: string[], value: unknown) {
  let cur = obj;
  for (let i = 0; i < keys.length - 1; i++) {
    const key = keys[i];
    if (typeof cur[key] !== 'object' || cur[key] === null) cur[key] = {};
    cur = cur[key] as Record<string, unknown>;
  }
  cur[keys[keys.length - 1]] = value;
}
