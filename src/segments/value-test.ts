// What a value test (trait condition, event property filter) means, for the incremental evaluator.
// compile-sql.ts gives the same meaning in SQL: only JSON numbers compare as numbers, only JSON
// strings as text, a missing key or JSON null does not exist.
import type { ValueTest } from './rule-schema.js';

export const splitPath = (path: string) => path.split('.');

/** The value at a dotted path; arrays are not descended into (the SQL side cannot index them portably). */
export function valueAt(obj: unknown, path: readonly string[]): unknown {
  let v: unknown = obj;
  for (const key of path) {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
    if (!Object.prototype.hasOwnProperty.call(v, key)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

/** A numeric comparand: numbers as they are, ISO dates as epoch milliseconds. */
export const comparand = (value: number | string) => (typeof value === 'number' ? value : Date.parse(value));

export function compareNumbers(a: number, op: 'equals' | 'gt' | 'gte' | 'lt' | 'lte', b: number) {
  switch (op) {
    case 'equals':
      return a === b;
    case 'gt':
      return a > b;
    case 'gte':
      return a >= b;
    case 'lt':
      return a < b;
    case 'lte':
      return a <= b;
  }
}

const equalsValue = (v: unknown, value: string | number | boolean) => typeof v === typeof value && v === value;

export function testValue(test: ValueTest, v: unknown): boolean {
  switch (test.op) {
    case 'equals':
      return equalsValue(v, test.value);
    case 'not_equals':
      return !equalsValue(v, test.value);
    case 'in':
      return test.value.some((x) => equalsValue(v, x));
    case 'contains':
      return typeof v === 'string' && v.includes(test.value);
    case 'starts_with':
      return typeof v === 'string' && v.startsWith(test.value);
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return typeof v === 'number' && compareNumbers(v, test.op, comparand(test.value));
    case 'exists':
      return v !== undefined && v !== null;
    case 'not_exists':
      return v === undefined || v === null;
  }
}
