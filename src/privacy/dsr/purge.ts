// Erasure: removes the subject's rows from every table of personal-data.ts (the log through its
// writer, the rest in one transaction), and compaction, which rewrites the store's files so the
// removed rows leave no bytes behind.
import { basename, relative } from 'node:path';
import { sql, type RawBuilder } from 'kysely';
import type { Db, Dialect } from '../../storage/index.js';
import type { EventLog } from '../../log/index.js';
import { PERSONAL_DATA, type Match, type PersonalTable } from './personal-data.js';
import type { Subject } from './subject.js';
import { filesUnder, searchFiles, type FileResidue } from './byte-search.js';

const CHUNK = 500;
/** Conditions (each up to CHUNK values) joined into one DELETE: well under SQLite's limit of bound values. */
const CONDITIONS_PER_STATEMENT = 8;

function valuesOf(subject: Subject, match: Match): (string | number)[] {
  switch (match) {
    case 'profile':
      return subject.profileIds;
    case 'component':
      return subject.components;
    case 'seq':
      return subject.seqs;
    case 'key':
      return subject.keys;
    case 'userId':
      return subject.userIds;
    case 'anonymousId':
      return subject.anonymousIds;
    case 'email':
      return subject.emails;
    case 'text':
      return subject.texts;
    case 'subject':
      return subject.hashes;
    case 'idempotency':
      return subject.seqs.map((s) => `event:${s}`);
  }
}

/** The tables of the store (the current schema on PostgreSQL). */
export async function existingTables(db: Db, dialect: Dialect): Promise<Set<string>> {
  const rows =
    dialect.name === 'sqlite'
      ? await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table'`.execute(db)
      : await sql<{ name: string }>`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()`.execute(db);
  return new Set(rows.rows.map((r) => r.name));
}

/** The conditions matching the subject's rows in `t`, one per chunk of values (none: the subject has no such values). */
function conditions(t: PersonalTable, subject: Subject, dialect: Dialect): RawBuilder<unknown>[] {
  const out: RawBuilder<unknown>[] = [];
  for (const w of t.where) {
    const values = valuesOf(subject, w.match);
    for (let i = 0; i < values.length; i += CHUNK) {
      const part = values.slice(i, i + CHUNK);
      if (w.match === 'text') {
        const find = dialect.name === 'sqlite' ? (v: string | number) => sql`instr(CAST(${sql.ref(w.column)} AS TEXT), ${v}) > 0` : (v: string | number) => sql`strpos(CAST(${sql.ref(w.column)} AS TEXT), ${v}) > 0`;
        out.push(sql`(${sql.join(part.map(find), sql` OR `)})`);
      } else out.push(sql`${sql.ref(w.column)} IN (${sql.join(part)})`);
    }
  }
  return out;
}

/** Rows removed (or cleared) per table. */
export type EraseCounts = Record<string, number>;

export async function eraseSubject(db: Db, dialect: Dialect, log: EventLog, subject: Subject): Promise<EraseCounts> {
  const tables = await existingTables(db, dialect);
  const counts: EraseCounts = {};
  // The log first: once its events are gone, no stage (nor a rebuild) can derive the person again.
  counts.events = await log.purge(subject.seqs);
  await db.transaction().execute(async (trx) => {
    for (const t of PERSONAL_DATA) {
      if (t.log || !tables.has(t.table)) continue;
      let n = 0;
      // Batched: one statement per table (its conditions joined with OR), unless the values are many.
      const all = conditions(t, subject, dialect);
      const batches: RawBuilder<unknown>[] = [];
      for (let i = 0; i < all.length; i += CONDITIONS_PER_STATEMENT) batches.push(sql`(${sql.join(all.slice(i, i + CONDITIONS_PER_STATEMENT), sql` OR `)})`);
      for (const where of batches) {
        const orphan = t.orphansOnly ? sql` AND NOT EXISTS (SELECT 1 FROM identity_profiles p WHERE p.component_id = ${sql.table(t.table)}.id)` : sql``;
        const res = t.action
          ? await sql`UPDATE ${sql.table(t.table)} SET ${sql.join(t.action.clear.map((c) => sql`${sql.ref(c)} = NULL`))} WHERE ${where}`.execute(trx)
          : await sql`DELETE FROM ${sql.table(t.table)} WHERE ${where}${orphan}`.execute(trx);
        n += Number(res.numAffectedRows ?? 0);
      }
      counts[t.table] = n;
    }
  });
  return counts;
}

/** What a compaction did and what the byte search found after it (SQLite with a proof only). */
export interface CompactionReport {
  /** Database files rebuilt with VACUUM because the search found the person's bytes in them. */
  vacuumed: string[];
  /** Files (relative to the data directory) still holding any of the values after compaction: none is the proof. */
  residue: FileResidue[];
  /** Files searched. */
  searched: number;
}

/** What the byte search looks for after a compaction: the erased people's identifier values. */
export interface ErasureProof {
  dataDir: string;
  values: string[];
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Copies the main file's WAL into it and truncates the WAL, on the main connection (held for the
 * duration, busy timeout off: a busy checkpoint is retried on a timer, never waited for in SQLite's
 * busy handler on the event loop). Cheap: the checkpoint thread keeps the WAL short.
 */
async function truncateMainWal(db: Db): Promise<void> {
  await db.connection().execute(async (c) => {
    const before = await sql<{ timeout: number }>`PRAGMA busy_timeout`.execute(c);
    await sql`PRAGMA busy_timeout = 0`.execute(c);
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          const r = await sql<{ busy: number }>`PRAGMA main.wal_checkpoint(TRUNCATE)`.execute(c);
          if (Number(r.rows[0]?.busy) === 0) return;
        } catch (err) {
          if ((err as { code?: string }).code !== 'SQLITE_BUSY' && (err as { code?: string }).code !== 'SQLITE_LOCKED') throw err;
        }
        if (attempt >= 400) throw new Error('the store WAL could not be truncated: another connection kept it busy');
        await pause(25);
      }
    } finally {
      await sql.raw(`PRAGMA busy_timeout = ${Number(before.rows[0]?.timeout ?? 5000)}`).execute(c);
    }
  });
}

const isLogFile = (file: string) => basename(file).startsWith('log.db');
const isMainFile = (file: string) => basename(file).startsWith('meridian.db');

/**
 * Rewrites the database files so deleted rows leave nothing behind.
 *
 * SQLite with a proof (a data-subject delete): both connections delete with secure_delete on, so the
 * deleted rows' bytes are already zeroed in their pages; what remains is the old page images in the
 * WALs, which a checkpoint (TRUNCATE) of each file removes. Then every file under the data directory is
 * searched for the erased values (byte-search.ts); a database file still holding any is rebuilt with a
 * VACUUM (the log's file by its writer thread, the main file by `compactMain`, the store's checkpoint
 * thread) and searched again. Files still holding a value after that are reported (`residue`).
 *
 * SQLite without a proof: checkpoint, VACUUM and checkpoint of both files. PostgreSQL: VACUUM of every
 * personal-data table (and the log's).
 */
export async function compactStore(db: Db, dialect: Dialect, log: EventLog, compactMain?: () => Promise<void>, proof?: ErasureProof): Promise<CompactionReport | undefined> {
  if (dialect.name === 'sqlite') {
    if (!compactMain) throw new Error('the embedded store compacts its main file through Storage.compact');
    if (!proof) {
      await log.compact();
      await compactMain();
      return undefined;
    }
    await log.compact({ vacuum: false });
    await truncateMainWal(db);
    const files = await filesUnder(proof.dataDir);
    let residue = await searchFiles(files, proof.values);
    const vacuumed: string[] = [];
    if (residue.some((r) => isLogFile(r.file))) {
      await log.compact();
      vacuumed.push('log.db');
    }
    if (residue.some((r) => isMainFile(r.file))) {
      await compactMain();
      vacuumed.push('meridian.db');
    }
    if (vacuumed.length > 0) residue = await searchFiles(await filesUnder(proof.dataDir), proof.values);
    return { vacuumed, residue: residue.map((r) => ({ file: relative(proof.dataDir, r.file), values: r.values })), searched: files.length };
  }
  await log.compact();
  const tables = await existingTables(db, dialect);
  for (const t of PERSONAL_DATA) if (!t.log && tables.has(t.table)) await sql`VACUUM ${sql.table(t.table)}`.execute(db);
  return undefined;
}
