// Reads the next rows after a cursor from the customer's PostgreSQL or MySQL/MariaDB database. The
// cursor comparison is done by the database on its own values: timestamps come back as the text
// the database printed (not a JS Date, which would drop microseconds and re-read rows forever) and
// go back as parameters unchanged.
import pg from 'pg';
import mysql from 'mysql2/promise';
import { AppError } from '../../shared/errors.js';
import type { DbSyncSettings, DbSyncState } from './schema.js';

export type Row = Record<string, unknown>;

export interface RowReader {
  next(cursor: DbSyncState['cursor'], limit: number): Promise<Row[]>;
  close(): Promise<void>;
}

export type Driver = 'postgres' | 'mysql';

export function driverOf(url: string): Driver {
  return /^postgres(ql)?:/.test(url) ? 'postgres' : 'mysql';
}

// Date/time types whose text form must be kept as is: date, timestamp, timestamptz.
const PG_TIME_OIDS = new Set([1082, 1114, 1184]);
const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    PG_TIME_OIDS.has(oid) ? (v: string) => v : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/** The SELECT that reads one batch, with placeholders produced by `p(n)`. */
export function batchSql(s: DbSyncSettings, quote: (id: string) => string, p: (n: number) => string, cursor: DbSyncState['cursor'], limit: number) {
  const from = s.query ? `(${s.query.trim().replace(/;\s*$/, '')})` : `(SELECT * FROM ${s.table!.split('.').map(quote).join('.')})`;
  const c = quote(s.cursor.column);
  const id = s.cursor.idColumn ? quote(s.cursor.idColumn) : undefined;
  // Rows without a cursor value can never be ordered after a cursor: they are not synced.
  const conditions = [`${c} IS NOT NULL`];
  const params: unknown[] = [];
  if (cursor && id) {
    conditions.push(`(${c} > ${p(1)} OR (${c} = ${p(2)} AND ${id} > ${p(3)}))`);
    params.push(cursor.value, cursor.value, cursor.id);
  } else if (cursor) {
    conditions.push(`${c} > ${p(1)}`);
    params.push(cursor.value);
  }
  const text = `SELECT * FROM ${from} AS meridian_src WHERE ${conditions.join(' AND ')} ORDER BY ${c}${id ? `, ${id}` : ''} LIMIT ${Math.floor(limit)}`;
  return { text, params };
}

export async function openReader(url: string, settings: DbSyncSettings): Promise<RowReader> {
  try {
    if (driverOf(url) === 'postgres') {
      const client = new pg.Client({ connectionString: url, types: pgTypes, statement_timeout: 60_000, connectionTimeoutMillis: 10_000 });
      await client.connect();
      return {
        next: async (cursor, limit) => {
          const q = batchSql(settings, (i) => `"${i.replace(/"/g, '""')}"`, (n) => `$${n}`, cursor, limit);
          return (await client.query(q.text, q.params)).rows as Row[];
        },
        close: () => client.end(),
      };
    }
    const conn = await mysql.createConnection({ uri: url.replace(/^mariadb:/, 'mysql:'), dateStrings: true, supportBigNumbers: true, bigNumberStrings: true, connectTimeout: 10_000 });
    return {
      next: async (cursor, limit) => {
        const q = batchSql(settings, (i) => `\`${i.replace(/`/g, '``')}\``, () => '?', cursor, limit);
        const [rows] = await conn.query(q.text, q.params);
        return rows as Row[];
      },
      close: () => conn.end(),
    };
  } catch (err) {
    throw new AppError('db_sync_connect_failed', 502, `cannot connect to the source database: ${(err as Error).message}`);
  }
}
