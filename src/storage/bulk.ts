// Multi-row INSERT for the pipeline's hot paths (thousands of rows per stage batch). The query
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
    await trx.executeQuery(CompiledQuery.raw(statement(dialect, table, columns, size, conflict), params));
    at += size;
  }
}

function statement(dialect: Dialect, table: string, columns: readonly string[], rows: number, conflict: string): string {
  const key = `${dialect.name}|${table}|${columns.join(',')}|${rows}|${conflict}`;
  let text = texts.get(key);
  if (text === undefined) {
    const width = columns.length;
    const tuple = (r: number) =>
      '(' + columns.map((_, c) => (dialect.name === 'postgres' ? `$${r * width + c + 1}` : '?')).join(', ') + ')';
    const values = Array.from({ length: rows }, (_, r) => tuple(r)).join(', ');
    text = `INSERT INTO ${quote(table)} (${columns.map(quote).join(', ')}) VALUES ${values}${conflict ? ' ' + conflict : ''}`;
    texts.set(key, text);
  }
  return text;
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
