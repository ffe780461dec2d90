// Import jobs, their checkpoints and per-row errors. A checkpoint and the errors of the rows it
// covers commit together, so after a crash every row up to `rows_done` is accounted for once.
import { hostname } from 'node:os';
import { chunkRows, type Db, type Dialect } from '../../storage/index.js';
import { AppError } from '../../shared/errors.js';
import { decodeCursor, encodeCursor, type Page } from '../../shared/paging.js';
import type { ImportJob, ImportRowError } from './schema.js';
import type { ImportMapping } from './mapping.js';
import type { Selectable } from 'kysely';
import type { ImportsTable } from './tables.js';
import './tables.js';

/** Errors kept per import; past this only the count grows (the report says so). */
export const MAX_STORED_ERRORS = 100_000;
/** A running import whose owner has not checkpointed for this long may be taken over. */
const LEASE_MS = 60_000;

export const thisProcess = () => `${hostname()}:${process.pid}`;

export interface JobRecord extends ImportJob {
  filePath: string;
  mapping: ImportMapping;
  lastSeq: number;
}

export interface NewJob {
  identity: string | null;
  sourceId: string;
  kind: ImportJob['kind'];
  format: ImportJob['format'];
  fileName: string;
  filePath: string;
  fileHash: string;
  fileBytes: number;
  mapping: ImportMapping;
  dryRun: boolean;
  /** The log head when the job is created: a crash before the first checkpoint is covered too. */
  lastSeq: number;
}

export interface Checkpoint {
  rowsDone: number;
  imported: number;
  duplicates: number;
  failedRows: number;
  lastSeq: number;
  errors: ImportRowError[];
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export class ImportStore {
  constructor(
    private readonly db: Db,
    private readonly dialect: Dialect,
  ) {}

  /** The job of this identity, or a new one; `created` tells which. */
  async findOrCreate(job: NewJob, now: number, newJobId: string): Promise<{ job: JobRecord; created: boolean }> {
    if (job.identity !== null) {
      const existing = await this.db.selectFrom('imports').select('id').where('identity', '=', job.identity).executeTakeFirst();
      if (existing) return { job: await this.get(existing.id), created: false };
    }
    await this.db
      .insertInto('imports')
      .values({
        id: newJobId,
        identity: job.identity,
        source_id: job.sourceId,
        kind: job.kind,
        format: job.format,
        file_name: job.fileName,
        file_path: job.filePath,
        file_hash: job.fileHash,
        file_bytes: job.fileBytes,
        mapping: JSON.stringify(job.mapping),
        dry_run: job.dryRun ? 1 : 0,
        status: 'pending',
        last_seq: job.lastSeq,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) => oc.column('identity').doNothing())
      .execute();
    // Someone else created the same identity at the same moment: theirs wins.
    const id = job.identity === null ? newJobId : (await this.db.selectFrom('imports').select('id').where('identity', '=', job.identity).executeTakeFirstOrThrow()).id;
    return { job: await this.get(id), created: id === newJobId };
  }

  async get(id: string): Promise<JobRecord> {
    const row = await this.db.selectFrom('imports').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new AppError('import_not_found', 404, `no import with id ${id}`);
    return this.toJob(row);
  }

  /**
   * Takes the job for this process. Refused while another live process runs it: same host and its
   * pid still alive, or another host that checkpointed within the lease.
   */
  async claim(id: string, owner: string, now: number, mapping: ImportMapping): Promise<JobRecord> {
    const row = await this.db.selectFrom('imports').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    if (row.status === 'running' && row.owner !== owner && ownerAlive(row.owner, row.heartbeat_at ?? 0, now))
      throw new AppError('import_running', 409, `import ${id} is being run by ${row.owner}`, { owner: row.owner });
    const res = await this.db
      .updateTable('imports')
      .set({ status: 'running', owner, heartbeat_at: now, updated_at: now, error: null, mapping: JSON.stringify(mapping) })
      .where('id', '=', id)
      .where('updated_at', '=', row.updated_at)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) throw new AppError('import_running', 409, `import ${id} was just taken by another process`);
    return this.get(id);
  }

  async checkpoint(id: string, c: Checkpoint, now: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const room = MAX_STORED_ERRORS - (c.failedRows - c.errors.length);
      const errors = c.errors.slice(0, Math.max(0, room));
      if (errors.length > 0)
        for (const chunk of chunkRows(errors, 5, this.dialect))
          await trx
            .insertInto('import_errors')
            .values(chunk.map((e) => ({ import_id: id, row_number: e.row, column_name: e.column, code: e.code, message: e.message })))
            .onConflict((oc) => oc.doNothing())
            .execute();
      await trx
        .updateTable('imports')
        .set({
          rows_done: c.rowsDone,
          imported: c.imported,
          duplicates: c.duplicates,
          failed_rows: c.failedRows,
          last_seq: c.lastSeq,
          heartbeat_at: now,
          updated_at: now,
        })
        .where('id', '=', id)
        .execute();
    });
  }

  async finish(id: string, status: 'completed' | 'failed' | 'interrupted', now: number, error: string | null = null): Promise<JobRecord> {
    await this.db
      .updateTable('imports')
      .set({ status, error, updated_at: now, owner: null, finished_at: status === 'interrupted' ? null : now })
      .where('id', '=', id)
      .execute();
    return this.get(id);
  }

  async list(sourceId: string | undefined, limit: number, cursor?: string): Promise<Page<ImportJob>> {
    const after = decodeCursor(cursor, (v): v is [number, string] => Array.isArray(v) && v.length === 2);
    let q = this.db.selectFrom('imports').selectAll();
    if (sourceId) q = q.where('source_id', '=', sourceId);
    if (after) q = q.where((eb) => eb.or([eb('created_at', '<', after[0]), eb.and([eb('created_at', '=', after[0]), eb('id', '<', after[1])])]));
    const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
    const data = rows.slice(0, limit).map((r) => publicJob(this.toJob(r)));
    const last = rows[limit - 1];
    return { data, next: rows.length > limit ? encodeCursor([last.created_at, last.id]) : null };
  }

  /** Errors in row order; `cursor` continues after the last row returned. */
  async errors(id: string, limit: number, cursor?: string): Promise<Page<ImportRowError>> {
    const after = decodeCursor(cursor, (v): v is [number, string, string] => Array.isArray(v) && v.length === 3);
    let q = this.db.selectFrom('import_errors').selectAll().where('import_id', '=', id);
    if (after)
      q = q.where((eb) =>
        eb.or([
          eb('row_number', '>', after[0]),
          eb.and([eb('row_number', '=', after[0]), eb.or([eb('column_name', '>', after[1]), eb.and([eb('column_name', '=', after[1]), eb('code', '>', after[2])])])]),
        ]),
      );
    const rows = await q.orderBy('row_number').orderBy('column_name').orderBy('code').limit(limit + 1).execute();
    const data = rows.slice(0, limit).map((r) => ({ row: r.row_number, column: r.column_name, code: r.code, message: r.message }));
    const last = data[data.length - 1];
    return { data, next: rows.length > limit ? encodeCursor([last.row, last.column, last.code]) : null };
  }

  /** messageIds this source appended after a log offset: what a crash may have committed past the checkpoint. */
  async messageIdsAfter(sourceId: string, seq: number): Promise<Set<string>> {
    const rows = await this.db.selectFrom('events').select('message_id').where('source_id', '=', sourceId).where('seq', '>', seq).execute();
    return new Set(rows.map((r) => r.message_id));
  }

  private toJob(r: Selectable<ImportsTable>): JobRecord {
    return {
      id: r.id,
      sourceId: r.source_id,
      kind: r.kind as JobRecord['kind'],
      format: r.format as JobRecord['format'],
      fileName: r.file_name,
      fileHash: r.file_hash,
      fileBytes: r.file_bytes,
      dryRun: r.dry_run === 1,
      status: r.status as JobRecord['status'],
      rowsDone: r.rows_done,
      imported: r.imported,
      duplicates: r.duplicates,
      failedRows: r.failed_rows,
      error: r.error,
      createdAt: iso(r.created_at)!,
      updatedAt: iso(r.updated_at)!,
      finishedAt: iso(r.finished_at),
      filePath: r.file_path,
      mapping: this.dialect.parseJson(r.mapping) as ImportMapping,
      lastSeq: r.last_seq,
    };
  }
}

export function publicJob(j: JobRecord): ImportJob {
  const { filePath: _p, mapping: _m, lastSeq: _s, ...job } = j;
  return job;
}

function ownerAlive(owner: string | null, heartbeatAt: number, now: number): boolean {
  if (!owner) return false;
  const [host, pid] = [owner.slice(0, owner.lastIndexOf(':')), Number(owner.slice(owner.lastIndexOf(':') + 1))];
  if (host === hostname()) {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
  return now - heartbeatAt < LEASE_MS;
}
