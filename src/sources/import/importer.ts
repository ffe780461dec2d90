// Runs an import: streams the file, maps each row to a Segment message, validates it with the same
// `normalise()` as tracking calls (past timestamps kept, no clock-skew correction), appends batches
// to the event log and checkpoints every few batches.
//
// Idempotence beyond the log's 24 h dedupe window comes from two things:
//  1. The job's identity is (source, kind, SHA-256 of the file). Importing the same file again finds
//     its job: a completed job is reported as done (nothing appended), an interrupted one resumes.
//  2. Every row gets a deterministic messageId (`imp-<kind>-<file hash>-<row>`, or the mapped
//     messageId column). After a crash only the rows between the last checkpoint and the crash can
//     already be in the log; on resume, the messageIds this source appended after the checkpoint's
//     log offset are read back and those rows skipped. Within 24 h the log's dedupe catches them too.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { AppError } from '../../shared/errors.js';
import type { Clock } from '../../shared/clock.js';
import { newId } from '../../shared/ids.js';
import type { EventLog, NewLogEvent } from '../../log/index.js';
import type { SourceStore } from '../store.js';
import { normalise } from '../../ingest/normalise.js';
import { compileMapping, type ImportFormat, type ImportKind, type ImportMapping, type RowProblem } from './mapping.js';
import { readRows } from './read-rows.js';
import { ImportStore, thisProcess, type JobRecord } from './store.js';
import type { ImportRowError } from './schema.js';

/** Rows per append. The next batch is built while one is being appended (see loop). */
const BATCH_ROWS = 5_000;
/**
 * Rows between checkpoints. A checkpoint is a commit (an fsync) on the main connection that nothing
 * overlaps; resuming reads back the messageIds appended since the last one, so this also bounds that.
 */
const CHECKPOINT_ROWS = 25_000;
/** Historical events keep their time however far it is from now. */
const ANY_TIME_MS = 1000 * 365 * 24 * 3600_000;

export interface ImportRequest {
  sourceId: string;
  filePath: string;
  fileName: string;
  mapping: ImportMapping;
  kind?: ImportKind;
  format?: ImportFormat;
  dryRun?: boolean;
}

export interface ImportProgress {
  rowsDone: number;
  bytesRead: number;
  totalBytes: number;
  imported: number;
  failedRows: number;
  duplicates: number;
}

/** Decides, per source, which normalised events may enter the log (tracking plans). */
export type EventScreen = (sourceId: string, events: NewLogEvent[]) => Promise<NewLogEvent[]>;

export interface RunOptions {
  /** The mapping to use from the checkpoint on (default: the job's). */
  mapping?: ImportMapping;
  onProgress?: (p: ImportProgress) => void;
}

export interface ImporterDeps {
  store: ImportStore;
  log: EventLog;
  sources: SourceStore;
  clock: Clock;
  maxEventBytes: number;
  screen?: EventScreen;
}

export class Importer {
  private stopping = false;
  readonly store: ImportStore;
  private readonly running = new Map<string, Promise<JobRecord>>();

  constructor(private readonly deps: ImporterDeps) {
    this.store = deps.store;
  }

  /** Finds or creates the job for this file; `created` is false when the same file was seen before. */
  async prepare(req: ImportRequest): Promise<{ job: JobRecord; created: boolean }> {
    await this.deps.sources.get(req.sourceId);
    const kind = req.kind ?? req.mapping.kind ?? 'events';
    const format = req.format ?? req.mapping.format ?? guessFormat(req.fileName);
    compileMapping(req.mapping, kind); // a mapping that cannot work fails before any row is read
    const { hash, bytes } = await fileIdentity(req.filePath);
    const dryRun = req.dryRun ?? false;
    return this.deps.store.findOrCreate(
      {
        identity: dryRun ? null : `${req.sourceId}:${kind}:${hash}`,
        sourceId: req.sourceId,
        kind,
        format,
        fileName: req.fileName,
        filePath: req.filePath,
        fileHash: hash,
        fileBytes: bytes,
        mapping: req.mapping,
        dryRun,
        lastSeq: await this.deps.log.headSeq(),
      },
      this.deps.clock.now(),
      newId('imp'),
    );
  }

  /**
   * Runs (or resumes) a job to the end. A completed job returns as is. The mapping given now is
   * used from the checkpoint on (a corrected mapping applies to the rows not yet done).
   */
  async run(jobId: string, opts: RunOptions = {}): Promise<JobRecord> {
    return (await this.begin(jobId, opts)).done;
  }

  /** Claims the job (it is `running` when this resolves) and runs it in the background until `done`. */
  async begin(jobId: string, opts: RunOptions = {}): Promise<{ job: JobRecord; done: Promise<JobRecord> }> {
    const current = this.running.get(jobId);
    if (current) return { job: await this.deps.store.get(jobId), done: current };
    const { store, clock } = this.deps;
    const before = await store.get(jobId);
    if (before.status === 'completed') return { job: before, done: Promise.resolve(before) };
    const job = await store.claim(jobId, thisProcess(), clock.now(), opts.mapping ?? before.mapping);
    const done = this.execute(job, opts.onProgress).finally(() => this.running.delete(jobId));
    this.running.set(jobId, done);
    return { job, done };
  }

  /** Stops every running import at its next batch boundary (they end `interrupted`, resumable). */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.allSettled([...this.running.values()]);
  }

  private async execute(job: JobRecord, onProgress?: (p: ImportProgress) => void): Promise<JobRecord> {
    const { store, clock } = this.deps;
    try {
      const stopped = await this.loop(job, onProgress);
      return await store.finish(job.id, stopped ? 'interrupted' : 'completed', clock.now());
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      await store.finish(job.id, 'failed', clock.now(), message);
      throw err;
    }
  }

  /**
   * Returns true when stopped before the end of the file. Batches are pipelined: while one batch is
   * being appended (the log writes in a thread of its own on SQLite, in another process on
   * PostgreSQL) the next is mapped and normalised. At most one batch is in flight and one being
   * built, and a checkpoint only ever covers appended batches, so memory stays flat and resuming works
   * as described in the header.
   */
  private async loop(job: JobRecord, onProgress?: (p: ImportProgress) => void): Promise<boolean> {
    const { store, log, clock } = this.deps;
    const toMessage = compileMapping(job.mapping, job.kind);
    const columnOf = new Map(Object.entries(job.mapping.fields).map(([column, m]) => [typeof m === 'string' ? m : m.to, column]));
    const type = job.kind === 'profiles' ? 'identify' : 'track';
    const idPrefix = `imp-${job.kind[0]}-${job.fileHash.slice(0, 20)}-`;
    // Rows committed after the last checkpoint by a run that crashed (see the header).
    const committedPastCheckpoint = job.dryRun ? new Set<string>() : await store.messageIdsAfter(job.sourceId, job.lastSeq);

    const totals = { rowsDone: job.rowsDone, imported: job.imported, duplicates: job.duplicates, failedRows: job.failedRows, lastSeq: job.lastSeq };
    let bytesRead = 0;

    // Row errors and the row count since the last checkpoint: they are committed with the next one.
    let unsaved: ImportRowError[] = [];
    let rowsSinceCheckpoint = 0;

    /** Appends one batch, then checkpoints when due; batches are committed strictly in file order. */
    const commit = async (batch: NewLogEvent[], errors: ImportRowError[], lastRow: number, last: boolean) => {
      let events = batch;
      if (committedPastCheckpoint.size > 0) {
        totals.duplicates += events.filter((e) => committedPastCheckpoint.has(e.messageId)).length;
        events = events.filter((e) => !committedPastCheckpoint.has(e.messageId));
      }
      if (job.dryRun) totals.imported += events.length;
      else {
        if (this.deps.screen && events.length > 0) events = await this.deps.screen(job.sourceId, events);
        for (const outcome of await log.append(events)) {
          if (outcome.status === 'accepted') {
            totals.imported++;
            totals.lastSeq = Math.max(totals.lastSeq, outcome.seq);
          } else totals.duplicates++;
        }
      }
      totals.failedRows += new Set(errors.map((e) => e.row)).size;
      rowsSinceCheckpoint += lastRow - totals.rowsDone;
      totals.rowsDone = lastRow;
      unsaved = unsaved.concat(errors);
      // A stop requested while the batch was appended still gets its checkpoint: a resume starts after it.
      if (last || this.stopping || rowsSinceCheckpoint >= CHECKPOINT_ROWS || unsaved.length >= BATCH_ROWS) {
        await store.checkpoint(job.id, { ...totals, errors: unsaved }, clock.now());
        unsaved = [];
        rowsSinceCheckpoint = 0;
      }
      onProgress?.({ ...totals, bytesRead, totalBytes: job.fileBytes });
    };

    let inFlight: Promise<void> = Promise.resolve();
    let batch: NewLogEvent[] = [];
    let errors: ImportRowError[] = [];
    let lastRow = job.rowsDone;
    const handOver = async (last: boolean) => {
      await inFlight;
      inFlight = commit(batch, errors, lastRow, last);
      // Observed here so that a failure is not reported as unhandled before the next await reaches it.
      inFlight.catch(() => {});
      batch = [];
      errors = [];
    };

    let ctx = { sourceId: job.sourceId, receivedAt: clock.now(), futureToleranceMs: ANY_TIME_MS, maxEventBytes: this.deps.maxEventBytes };
    const rows = readRows(job.filePath, {
      format: job.format,
      delimiter: job.mapping.delimiter,
      columns: job.mapping.columns,
      skip: job.rowsDone,
      onBytes: (n) => (bytesRead += n),
    });
    try {
      for await (const chunk of rows) {
        for (const r of chunk) {
          lastRow = r.row;
          const problems = 'problem' in r ? [r.problem] : this.toEvent(r.record, r.row, toMessage, type, idPrefix, ctx, columnOf, batch);
          for (const p of problems) errors.push({ row: r.row, ...p });
          if (batch.length >= BATCH_ROWS || errors.length >= BATCH_ROWS) {
            await handOver(false);
            if (this.stopping) {
              await inFlight;
              await rows.return(undefined);
              return true;
            }
            // A new context per batch: normalise caches per context (the receivedAt text).
            ctx = { ...ctx, receivedAt: clock.now() };
          }
        }
      }
      await handOver(true);
      await inFlight;
      return false;
    } catch (err) {
      // A bad file or a failed append: let the batch in flight settle before the job is marked failed.
      await inFlight.catch(() => {});
      throw err;
    }
  }

  /** Maps and validates one row; pushes its event onto `batch` or returns its problems. */
  private toEvent(
    record: Record<string, unknown>,
    row: number,
    toMessage: ReturnType<typeof compileMapping>,
    type: 'track' | 'identify',
    idPrefix: string,
    ctx: Parameters<typeof normalise>[2],
    columnOf: Map<string, string>,
    batch: NewLogEvent[],
  ): RowProblem[] {
    const mapped = toMessage(record);
    if (!mapped.ok) return mapped.problems;
    mapped.message.messageId ??= idPrefix + row;
    try {
      batch.push(normalise(type, mapped.message, ctx));
      return [];
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      const field = typeof err.details?.field === 'string' ? err.details.field : '';
      return [{ column: columnOf.get(field) ?? field, code: err.code, message: err.message }];
    }
  }
}

export async function fileIdentity(path: string): Promise<{ hash: string; bytes: number }> {
  const info = await stat(path).catch(() => {
    throw new AppError('file_not_found', 404, `cannot read ${path}`);
  });
  if (!info.isFile()) throw new AppError('file_not_found', 404, `${path} is not a file`);
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  return { hash: hash.digest('hex'), bytes: info.size };
}

function guessFormat(fileName: string): ImportFormat {
  return /\.(jsonl|ndjson)$/i.test(fileName) ? 'jsonl' : 'csv';
}
