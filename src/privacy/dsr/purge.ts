// Erasure: removes the subject's rows from every table of personal-data.ts (the log through its
// writer, the rest in one transaction), and compaction, which rewrites the store's files so the
// removed rows leave no bytes behind.
import { sql, type RawBuilder } from 'kysely';
import type { Db, Dialect } from '../../storage/index.js';
import type { EventLog } from '../../log/index.js';
import { PERSONAL_DATA, type Match, type PersonalTable } from './personal-data.js';
import type { Subject } from './subject.js';

const CHUNK = 500;

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
      for (const where of conditions(t, subject, dialect)) {
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

/**
 * Rewrites every database file so deleted rows leave nothing behind. SQLite: the WAL is checkpointed
 * into the file and truncated, the file rebuilt (VACUUM), and the WAL truncated again — for the log's
 * file (by its writer thread) and the main file (by `compactMain`: the store's checkpoint thread, off
 * the event loop). PostgreSQL: VACUUM of every personal-data table.
 */
export async function compactStore(db: Db, dialect: Dialect, log: EventLog, compactMain?: () => Promise<void>): Promise<void> {
  await log.compact();
  if (dialect.name === 'sqlite') {
    if (!compactMain) throw new Error('the embedded store compacts its main file through Storage.compact');
    await compactMain();
    return;
  }
  const tables = await existingTables(db, dialect);
  for (const t of PERSONAL_DATA) if (!t.log && tables.has(t.table)) await sql`VACUUM ${sql.table(t.table)}`.execute(db);
}
