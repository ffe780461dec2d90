// Opens the configured store: SQLite under the data directory by default, PostgreSQL when a URL is given.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { CompiledQuery, Kysely, PostgresDialect, SqliteDialect, SqliteDriver, type DatabaseConnection } from 'kysely';
import type { Database } from './schema.js';
import { postgresDialect, sqliteDialect, type Db, type Dialect } from './dialect.js';
import { migrate } from './migrate.js';

export interface Storage {
  db: Db;
  dialect: Dialect;
  /** Where the data lives, for logs and `meridian` output (never contains a password). */
  location: string;
  /**
   * SQLite only: the one connection under `db`, for hot paths that run prepared statements inside a
   * Kysely transaction (which holds this connection for them).
   */
  sqlite?: SQLite.Database;
  close(): Promise<void>;
}

export interface StorageOptions {
  dataDir: string;
  databaseUrl?: string;
  /** PostgreSQL only: the schema to use (tests isolate themselves this way). */
  pgSchema?: string;
}

// BIGINT columns hold epoch milliseconds and log offsets, both far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export async function openStorage(options: StorageOptions): Promise<Storage> {
  const storage = options.databaseUrl ? openPostgres(options.databaseUrl, options.pgSchema) : openSqlite(options.dataDir);
  await migrate(storage.db, storage.dialect.name);
  return storage;
}

function openSqlite(dataDir: string): Storage {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'meridian.db');
  const conn = new SQLite(file);
  conn.pragma('journal_mode = WAL');
  // FULL: every commit fsyncs the WAL, so an acknowledged event survives a crash or power loss.
  conn.pragma('synchronous = FULL');
  conn.pragma('busy_timeout = 5000');
  conn.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect(conn) });
  return { db, dialect: sqliteDialect, location: file, sqlite: conn, close: () => db.destroy() };
}

/**
 * Transactions take SQLite's write lock when they begin (BEGIN IMMEDIATE). With a plain deferred BEGIN,
 * a transaction that read first and writes later fails at once with SQLITE_BUSY_SNAPSHOT when another
 * process (an API process beside a worker process on the same file) committed in between; an
 * immediate one waits for the lock (busy_timeout) instead.
 */
class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly conn: SQLite.Database) {
    super({ database: conn });
  }
  override createDriver() {
    return new (class extends SqliteDriver {
      override async beginTransaction(connection: DatabaseConnection) {
        await connection.executeQuery(CompiledQuery.raw('begin immediate'));
      }
    })({ database: this.conn });
  }
}

function openPostgres(url: string, schema?: string): Storage {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const safe = new URL(url);
  safe.password = '';
  return { db, dialect: postgresDialect, location: safe.toString(), close: () => db.destroy() };
}
