// The only place that knows how the two SQL dialects differ. Capabilities call these helpers
// instead of writing dialect-specific SQL.
import { AsyncLocalStorage } from 'node:async_hooks';
import { sql, type Expression, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { Database } from './schema.js';

/** Set while a derived-state transaction begins: the SQLite driver (open.ts) relaxes that commit. */
export const relaxedCommit = new AsyncLocalStorage<boolean>();

export type DialectName = 'sqlite' | 'postgres';

export interface Dialect {
  name: DialectName;
  /** Largest number of bound parameters one statement may carry. */
  maxParams: number;
  /** JSON columns come back as text from SQLite and parsed from PostgreSQL. */
  parseJson(value: unknown): unknown;
  /**
   * Serialises appends to the event log across processes so that log offsets become visible in
   * commit order (consumers read "everything after offset N" and must never skip a late commit).
   * SQLite already has a single writer.
   */
  lockLogForAppend(trx: Transaction<Database>): Promise<void>;
  /**
   * Transaction-scoped mutual exclusion on a name across processes (e.g. one runner per pipeline
   * stage, one writer per change feed). SQLite's single writer already serialises.
   */
  lockName(trx: Transaction<Database>, name: string): Promise<void>;
  /**
   * Runs a transaction that writes only derived state (a pipeline stage's batch, re-derived from the
   * log after a loss): its commit does not wait for the disk. Process crashes lose nothing either way;
   * a power loss may lose the last such commits, never their order, and the stage replays them.
   * SQLite: `synchronous = NORMAL` for this commit (set before BEGIN, restored to FULL by the driver
   * at its end, see open.ts); PostgreSQL: `synchronous_commit = off` for this transaction.
   */
  derivedTransaction<T>(db: Kysely<Database>, fn: (trx: Transaction<Database>) => Promise<T>): Promise<T>;
  /** The JSON number at `path` (object keys) inside a JSON column, NULL when absent or not a number. */
  jsonNumber(ref: Expression<unknown>, path: readonly string[]): RawBuilder<number | null>;
  /** The JSON string at `path`, NULL when absent or not a string. */
  jsonText(ref: Expression<unknown>, path: readonly string[]): RawBuilder<string | null>;
  /** The JSON kind at `path` — string, number, true, false, null, object, array — NULL when absent. */
  jsonKind(ref: Expression<unknown>, path: readonly string[]): RawBuilder<string | null>;
  /**
   * Planner hint after a table in FROM: scan it through `index` (SQLite `INDEXED BY`; nothing on
   * PostgreSQL, whose statistics choose well). For scans SQLite's planner would otherwise misjudge.
   */
  indexedBy(index: string): RawBuilder<unknown>;
}

// SQLite JSON paths quote every key, so keys may hold any character but `"` (rules forbid it).
const sqlitePath = (path: readonly string[]) => '$' + path.map((k) => `."${k}"`).join('');
// PostgreSQL: `->` with a text key never indexes into arrays, matching SQLite's quoted keys.
const pgValue = (ref: Expression<unknown>, path: readonly string[]) =>
  path.reduce<RawBuilder<unknown>>((acc, key) => sql`(${acc} -> ${key}::text)`, sql`${ref}`);

const LOG_APPEND_LOCK = 7_400_001; // arbitrary, fixed advisory-lock key for the event log

export const sqliteDialect: Dialect = {
  name: 'sqlite',
  maxParams: 32_000,
  parseJson: (value) => (typeof value === 'string' ? JSON.parse(value) : value),
  lockLogForAppend: async () => {},
  lockName: async () => {},
  derivedTransaction: (db, fn) => relaxedCommit.run(true, () => db.transaction().execute(fn)),
  jsonNumber: (ref, path) =>
    sql`(CASE WHEN json_type(${ref}, ${sqlitePath(path)}) IN ('integer', 'real') THEN json_extract(${ref}, ${sqlitePath(path)}) END)`,
  jsonText: (ref, path) =>
    sql`(CASE WHEN json_type(${ref}, ${sqlitePath(path)}) = 'text' THEN json_extract(${ref}, ${sqlitePath(path)}) END)`,
  jsonKind: (ref, path) =>
    sql`(CASE json_type(${ref}, ${sqlitePath(path)}) WHEN 'integer' THEN 'number' WHEN 'real' THEN 'number' WHEN 'text' THEN 'string' ELSE json_type(${ref}, ${sqlitePath(path)}) END)`,
  indexedBy: (index) => sql`INDEXED BY ${sql.id(index)}`,
};

export const postgresDialect: Dialect = {
  name: 'postgres',
  maxParams: 65_000,
  parseJson: (value) => (typeof value === 'string' ? JSON.parse(value) : value),
  lockLogForAppend: async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(${LOG_APPEND_LOCK})`.execute(trx);
  },
  lockName: async (trx, name) => {
    await sql`SELECT pg_advisory_xact_lock(hashtext(${name}))`.execute(trx);
  },
  derivedTransaction: (db, fn) =>
    db.transaction().execute(async (trx) => {
      await sql`SET LOCAL synchronous_commit = off`.execute(trx);
      return fn(trx);
    }),
  jsonNumber: (ref, path) => {
    const v = pgValue(ref, path);
    return sql`(CASE WHEN jsonb_typeof(${v}) = 'number' THEN (${v})::double precision END)`;
  },
  jsonText: (ref, path) => {
    const v = pgValue(ref, path);
    return sql`(CASE WHEN jsonb_typeof(${v}) = 'string' THEN ${v} #>> '{}' END)`;
  },
  jsonKind: (ref, path) => {
    const v = pgValue(ref, path);
    return sql`(CASE jsonb_typeof(${v}) WHEN 'boolean' THEN ${v} #>> '{}' ELSE jsonb_typeof(${v}) END)`;
  },
  indexedBy: () => sql``,
};

/** Splits rows so that one multi-row statement stays under the dialect's parameter limit. */
export function chunkRows<T>(rows: T[], columns: number, dialect: Dialect): T[][] {
  const size = Math.max(1, Math.floor(dialect.maxParams / columns));
  const chunks: T[][] = [];
  for (let i = 0; i < rows.length; i += size) chunks.push(rows.slice(i, i + size));
  return chunks;
}

export type Db = Kysely<Database>;
