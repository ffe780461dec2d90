// SQL for the building blocks both batch queries share: a value test on a JSON column, "this
// profile_events row is a `spec` event" and window bounds. Portable to SQLite and PostgreSQL (JSON access
// through the dialect helpers); every test is COALESCEd so that NULL (missing data) is false, as in
// evaluate.ts.
import { sql, type RawBuilder } from 'kysely';
import type { Dialect } from '../storage/index.js';
import type { EventSpec, ValueTest } from './rule-schema.js';
import { comparand, splitPath } from './value-test.js';

export type Bool = RawBuilder<boolean>;
const FALSE: Bool = sql<boolean>`FALSE`;
export const or = (xs: Bool[]): Bool => (xs.length === 0 ? FALSE : sql<boolean>`(${sql.join(xs, sql` OR `)})`);
export const and = (xs: Bool[]): Bool => sql<boolean>`(${sql.join(xs, sql` AND `)})`;
export const bool = (x: RawBuilder<unknown>): Bool => sql<boolean>`COALESCE(${x}, FALSE)`;
const NUMBER_OPS = { equals: '=', gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;
export const cmp = (a: RawBuilder<unknown>, op: keyof typeof NUMBER_OPS, b: number) => sql<boolean>`${a} ${sql.raw(NUMBER_OPS[op])} ${b}`;

function equalsSql(d: Dialect, ref: RawBuilder<unknown>, path: string[], value: string | number | boolean): Bool {
  if (typeof value === 'number') return bool(sql`${d.jsonNumber(ref, path)} = ${value}`);
  if (typeof value === 'string') return bool(sql`${d.jsonText(ref, path)} = ${value}`);
  return bool(sql`${d.jsonKind(ref, path)} = ${value ? 'true' : 'false'}`);
}

/** A value test on the JSON at `path` inside `ref`. */
export function valueTestSql(test: ValueTest, d: Dialect, ref: RawBuilder<unknown>, path: string[]): Bool {
  switch (test.op) {
    case 'equals':
      return equalsSql(d, ref, path, test.value);
    case 'not_equals':
      return sql<boolean>`NOT ${equalsSql(d, ref, path, test.value)}`;
    case 'in':
      return or(test.value.map((v) => equalsSql(d, ref, path, v)));
    case 'contains': {
      const t = d.jsonText(ref, path);
      if (test.value === '') return sql<boolean>`${t} IS NOT NULL`;
      return bool(sql`replace(${t}, ${test.value}, '') <> ${t}`);
    }
    case 'starts_with': {
      const t = d.jsonText(ref, path);
      if (test.value === '') return sql<boolean>`${t} IS NOT NULL`;
      // Characters, not UTF-16 units: SQL substr counts characters.
      return bool(sql`substr(${t}, 1, ${[...test.value].length}) = ${test.value}`);
    }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return bool(cmp(d.jsonNumber(ref, path), test.op, comparand(test.value)));
    case 'exists':
      return exists(d, ref, path);
    case 'not_exists':
      return sql<boolean>`NOT ${exists(d, ref, path)}`;
  }
}

const exists = (d: Dialect, ref: RawBuilder<unknown>, path: string[]) =>
  bool(sql`${d.jsonKind(ref, path)} <> 'null'`);

const col = (alias: string, column: string) => sql.ref(`${alias}.${column}`);

/**
 * `alias` (a profile_events row) is a `spec` event (of the outer profile p unless outer = false). `bounds`
 * (cheap tests on the row, e.g. its window) go before the property filters, which parse JSON.
 */
export function eventMatchSql(alias: string, spec: EventSpec, d: Dialect, outer = true, bounds: Bool[] = []): Bool {
  const parts: Bool[] = [sql<boolean>`${col(alias, 'event')} = ${spec.event}`, ...bounds, filtersSql(alias, spec, d)];
  if (outer) parts.unshift(sql<boolean>`${col(alias, 'profile_id')} = ${col('p', 'id')}`);
  return and(parts);
}

/** `spec`'s property filters on the row `alias` (TRUE without filters). */
export function filtersSql(alias: string, spec: EventSpec, d: Dialect): Bool {
  const where = spec.where ?? [];
  if (where.length === 0) return sql<boolean>`TRUE`;
  return and(where.map((f) => valueTestSql(f, d, sql`${col(alias, 'properties')}`, splitPath(f.property))));
}

export function windowSql(alias: string, w: { fromMs: number; toMs: number } | undefined, now: number): Bool[] {
  if (!w) return [];
  return [sql<boolean>`${col(alias, 'ts')} > ${now - w.fromMs}`, sql<boolean>`${col(alias, 'ts')} <= ${now - w.toMs}`];
}
