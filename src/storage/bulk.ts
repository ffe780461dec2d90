// Multi-row INSERT (and UPDATE … FROM VALUES) for the pipeline's hot paths (thousands of rows per stage batch). The query
// builder parses and compiles every value of every row, and SQLite prepares each new statement text
// again; at a few thousand rows per batch that cost more than the inserts themselves. Here the SQL
// text is built once per (table, columns, conflict clause, row count) and rows are bound positionally.
// Row counts come from a fixed ladder, so the same few texts recur and the SQLite connection's
// statement cache (storage/open.ts) finds them prepared.
import { CompiledQuery, type Transaction } from 'kysely';
import type { Database } from './schema.js';
import type { Dialect } from './dialect.js';

const LADDER = [512, 64, 8, 1];
const texts = new Map<string, string>();

/**
 * Inserts `rows` (objects with at least `columns`) into `table`. `conflict` is appended verbatim
 * (e.g. `ON CONFLICT (key) DO UPDATE SET profile_id = excluded.profile_id`); it is trusted SQL, never input.
 */
export async function insertRows<T extends keyof Database & string>(
  trx: Transaction<Database>,
  dialect: Dialect,
  table: T,
  columns: readonly (keyof Database[T] & string)[],
  rows: readonly Partial<Record<keyof Database[T] & string, unknown>>[],
  conflict = '',
): Promise<void> {
  await inLadderSteps(trx, dialect, columns, rows, (size) => statement(dialect, table, columns, size, conflict));
}

/**
 * Updates rows of `table` from `rows`, matched on `columns[0]` (the key), setting the other columns:
 * `UPDATE … SET … FROM (VALUES …)`, in the same ladder of statement sizes as insertRows. PostgreSQL
 * types a VALUES list from its parameters, so each column names its type there (`pgTypes`, in the
 * order of `columns`).
 */
export async function updateRows<T extends keyof Database & string>(
  trx: Transaction<Database>,
  dialect: Dialect,
  table: T,
  columns: readonly (keyof Database[T] & string)[],
  pgTypes: readonly string[],
  rows: readonly Partial<Record<keyof Database[T] & string, unknown>>[],
): Promise<void> {
  await inLadderSteps(trx, dialect, columns, rows, (size) => updateStatement(dialect, table, columns, pgTypes, size));
}

/** Runs `text(size)` over `rows` in ladder-sized steps, binding each row's `columns` positionally. */
async function inLadderSteps(
  trx: Transaction<Database>,
  dialect: Dialect,
  columns: readonly string[],
  rows: readonly Partial<Record<string, unknown>>[],
  text: (size: number) => string,
): Promise<void> {
  const maxRows = Math.max(1, Math.floor(dialect.maxParams / columns.length));
  let at = 0;
  while (at < rows.length) {
    const left = rows.length - at;
    const size = Math.min(maxRows, LADDER.find((n) => n <= left)!);
    const params: unknown[] = new Array(size * columns.length);
    let p = 0;
    for (let r = at; r < at + size; r++) {
      const row = rows[r];
      for (const c of columns) params[p++] = row[c] ?? null;
    }
    await trx.executeQuery(CompiledQuery.raw(text(size), params));
    at += size;
  }
}

/** `(?, ?), (?, ?)` or `($1, $2), ($3, $4)` for `rows` rows of `width` columns, each cast to `casts[c]` when given. */
function valuesList(dialect: Dialect, width: number, rows: number, casts?: readonly string[]): string {
  const tuple = (r: number) =>
    '(' + Array.from({ length: width }, (_, c) => (dialect.name === 'postgres' ? `$${r * width + c + 1}${casts ? '::' + casts[c] : ''}` : '?')).join(', ') + ')';
  return Array.from({ length: rows }, (_, r) => tuple(r)).join(', ');
}

function cached(key: string, build: () => string): string {
  let text = texts.get(key);
  if (text === undefined) texts.set(key, (text = build()));
  return text;
}

function statement(dialect: Dialect, table: string, columns: readonly string[], rows: number, conflict: string): string {
  return cached(`${dialect.name}|${table}|${columns.join(',')}|${rows}|${conflict}`, () =>
    `INSERT INTO ${quote(table)} (${columns.map(quote).join(', ')}) VALUES ${valuesList(dialect, columns.length, rows)}${conflict ? ' ' + conflict : ''}`,
  );
}

function updateStatement(dialect: Dialect, table: string, columns: readonly string[], pgTypes: readonly string[], rows: number): string {
  return cached(`update|${dialect.name}|${table}|${columns.join(',')}|${rows}`, () => {
    // A VALUES list's columns are column1, column2, … in both SQLite and PostgreSQL.
    const set = columns.slice(1).map((c, i) => `${quote(c)} = v.column${i + 2}`).join(', ');
    return `UPDATE ${quote(table)} SET ${set} FROM (VALUES ${valuesList(dialect, columns.length, rows, pgTypes)}) AS v WHERE ${quote(table)}.${quote(columns[0])} = v.column1`;
  });
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
