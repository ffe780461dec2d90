// Opens the configured store: SQLite under the data directory by default, PostgreSQL when a URL is given.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect, SqliteDriver, type SqliteDatabase } from 'kysely';
import type { Database } from './schema.js';
import { postgresDialect, relaxedCommit, sqliteDialect, type Db, type Dialect } from './dialect.js';
import { migrate } from './migrate.js';
import { FALLBACK_AUTOCHECKPOINT_PAGES, WalCheckpointer } from './checkpointer.js';

export interface Storage {
  db: Db;
  dialect: Dialect;
  /** Where the data lives, for logs and `meridian` output (never contains a password). */
  location: string;
  /**
   * SQLite only: the event log's own database file (`log.db`, attached read-only to `db` as `log`),
   * written only by the log writer thread's connection.
   */
  logFile?: string;
  /**
   * SQLite only: rewrites the main file so deleted rows leave no bytes in it or its WAL (checkpoint,
   * VACUUM, checkpoint), off the event loop. The log's file is compacted by its own writer.
   */
  compact?(): Promise<void>;
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
  if (!options.databaseUrl) return openSqlite(options.dataDir);
  const storage = openPostgres(options.databaseUrl, options.pgSchema);
  await migrate(storage.db, storage.dialect.name);
  return storage;
}

// better-sqlite3 reads this once, when it opens its first database: `file:` URIs let the main
// connection attach the log file read-only (see openSqlite).
process.env.SQLITE_USE_URI ??= '1';

/** How long a statement waits for another connection's write lock before failing with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5000;
/** Prepared statements kept per connection, least recently used dropped first. */
const STATEMENT_CACHE_SIZE = 256;
/** Page cache per SQLite connection (the main one and the log writer thread's), in KiB. */
export const SQLITE_CACHE_KIB = 64 * 1024;

/**
 * The embedded store is two files in WAL mode. `meridian.db` holds everything but the event log;
 * `log.db` holds the log (events and the dedupe window), written only by the log writer thread.
 * Each file has its own write lock, so log appends (acknowledgements) never wait for a pipeline
 * stage's transaction and stages never wait for the log's fsync. The main connection attaches the
 * log read-only: a BEGIN IMMEDIATE takes write locks on every attached database it may write, and
 * none on a read-only one. Queries name `events` and `dedupe` unqualified and find them there.
 */
async function openSqlite(dataDir: string): Promise<Storage> {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'meridian.db');
  const logFile = join(dataDir, 'log.db');
  const conn = new SQLite(file);
  conn.pragma('journal_mode = WAL');
  // FULL: every commit fsyncs the WAL, so what was acknowledged survives a crash or power loss.
  conn.pragma('synchronous = FULL');
  conn.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  conn.pragma('foreign_keys = ON');
  conn.pragma('secure_delete = ON'); // deleted rows zeroed in place: a data-subject delete rarely needs VACUUM (src/privacy/dsr)
  // SQLite's default page cache is 2 MiB: far too small once the identity graph and the timeline
  // indexes grow past it, when every insert into a random-keyed index goes back to the OS for pages.
  conn.pragma(`cache_size = -${SQLITE_CACHE_KIB}`);
  const driver = new ImmediateSqliteDialect(conn);
  const db = new Kysely<Database>({ dialect: driver });
  // Migrations may create and fill the log's tables (110_event_log_file.sql): attached writable
  // for them, then read-only for good.
  conn.exec(`ATTACH DATABASE ${quoteText(logFile)} AS log`);
  conn.pragma('log.journal_mode = WAL');
  await migrate(db, 'sqlite');
  conn.exec('DETACH DATABASE log');
  try {
    conn.exec(`ATTACH DATABASE ${quoteText(pathToFileURL(logFile).href + '?mode=ro')} AS log`);
  } catch (err) {
    throw new Error(`cannot attach the event log ${logFile} read-only (better-sqlite3 was loaded before SQLITE_USE_URI=1 was set?): ${(err as Error).message}`);
  }
  // meridian.db is checkpointed by a thread of its own (checkpointer.ts); this connection only falls
  // back to it. (log.db is written only by the log writer thread, off the event loop already.)
  conn.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
  const checkpointer = new WalCheckpointer(file, (err) => {
    conn.pragma('wal_autocheckpoint = 1000'); // SQLite's default
    process.emitWarning(`background WAL checkpoints stopped, the store checkpoints on commit again: ${err.message}`);
  });
  driver.afterCommit = () => checkpointer.poke();
  const close = async () => {
    await checkpointer.close();
    await db.destroy();
  };
  // A dialect object per open store: capabilities attach per-store state to it (field encryption's vault).
  return { db, dialect: { ...sqliteDialect }, location: file, logFile, compact: () => checkpointer.compact(), close };
}

const quoteText = (text: string) => `'${text.replace(/'/g, "''")}'`;

/**
 * Transactions take SQLite's write lock when they begin (BEGIN IMMEDIATE). With a plain deferred BEGIN,
 * a transaction that read first and writes later fails at once with SQLITE_BUSY_SNAPSHOT when another
 * process on the same file (an API process beside a worker process) committed in between; an
 * immediate one waits for the lock instead.
 *
 * It waits without blocking the event loop: SQLite's own busy handler sleeps in the calling thread,
 * which here is the one serving HTTP, so BEGIN is tried with no busy timeout and retried after a
 * short timer while another connection holds the lock.
 */
class ImmediateSqliteDialect extends SqliteDialect {
  private readonly database: SqliteDatabase;
  /** Runs after every COMMIT on this connection. */
  afterCommit: () => void = () => {};
  constructor(private readonly conn: SQLite.Database) {
    const database = cachingStatements(conn);
    super({ database });
    this.database = database;
  }
  override createDriver() {
    const conn = this.conn;
    const owner = this;
    return new (class extends SqliteDriver {
      override async beginTransaction() {
        const started = Date.now();
        // SQLite refuses to change the safety level inside a transaction: a derived-state
        // transaction (dialect.derivedTransaction) sets it just before BEGIN.
        const relaxed = relaxedCommit.getStore() === true;
        for (let pause = 1; ; pause = Math.min(pause * 2, 20)) {
          if (relaxed) conn.pragma('synchronous = NORMAL');
          conn.pragma('busy_timeout = 0');
          try {
            conn.exec('BEGIN IMMEDIATE');
            return;
          } catch (err) {
            // Not begun: whatever runs on this connection while we wait commits at FULL.
            if (relaxed) conn.pragma('synchronous = FULL');
            if ((err as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() - started > BUSY_TIMEOUT_MS) throw err;
          } finally {
            conn.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
          }
          await new Promise((resolve) => setTimeout(resolve, pause));
        }
      }
      // A transaction may have relaxed its commit (dialect.derivedTransaction); the next one starts FULL
      // again. Restored in the same synchronous call as COMMIT, so no other statement runs in between.
      override async commitTransaction() {
        try {
          conn.exec('COMMIT');
        } finally {
          conn.pragma('synchronous = FULL');
        }
        owner.afterCommit();
      }
      override async rollbackTransaction() {
        try {
          conn.exec('ROLLBACK');
        } finally {
          conn.pragma('synchronous = FULL');
        }
      }
    })({ database: this.database });
  }
}

/**
 * Kysely prepares every query it runs. Preparing is parsing SQL: for the pipeline's bulk inserts
 * (storage/bulk.ts) it cost as much as the inserts, and their texts recur. A statement still being
 * iterated (`busy`) is never handed out twice.
 */
function cachingStatements(conn: SQLite.Database): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>();
  return {
    prepare(text: string) {
      const cached = cache.get(text);
      if (cached && !cached.busy) {
        cache.delete(text); // re-inserted below: the Map's order is recency
        cache.set(text, cached);
        return cached;
      }
      const stmt = conn.prepare(text);
      if (!cached) {
        cache.set(text, stmt);
        if (cache.size > STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      }
      return stmt;
    },
    close: () => conn.close(),
  };
}

function openPostgres(url: string, schema?: string): Storage {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // A connection the server ends (a restart, a failover, pg_terminate_backend) emits 'error' on its
  // client, and on the pool while it is idle there. The query in flight, if any, fails with that error
  // (a transient one: the stage retries it) and the pool drops the connection; the next query opens a
  // new one. Unlistened, the event would end the process.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const safe = new URL(url);
  safe.password = '';
  return { db, dialect: { ...postgresDialect }, location: safe.toString(), close: () => db.destroy() };
}
