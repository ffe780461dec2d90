// Commits log appends on the embedded store from a worker thread (sqlite-log-thread.mjs) with its own
// connection. better-sqlite3 is synchronous: on the main thread, every fsync'd COMMIT and every insert
// stopped the event loop, so no request was parsed while the log committed. In the thread they overlap:
// the main thread validates the next group while the previous one is written.
//
// The log has a file of its own (log.db, see storage/open.ts), which only this thread writes; API
// processes beside each other on one store each have such a thread and share that file's write lock.
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import type { LogWriter, NewLogEvent, ResealedPayload } from './log-writer.js';
import type { DataKey } from '../shared/encryption/envelope.js';
import { SQLITE_CACHE_KIB } from '../storage/open.js';

/** The fields of one event, in the thread's insert order; events are sent as one flat array (see FIELDS). */
type Field = string | number | null;
const FIELDS = 9;
type Reply = { id: number; seqs: (number | null)[] } | { id: number; pruned: number } | { id: number; done: true } | { id: number; error: { message: string; code?: string } };

const threadFile = fileURLToPath(new URL('./sqlite-log-thread.mjs', import.meta.url));
/** Longest wait for the log file's write lock before an append fails (another API process's writer holds it). */
const BUSY_TIMEOUT_MS = 60_000;

export class SqliteLogWriter implements LogWriter {
  private readonly thread: Worker;
  private readonly pending = new Map<number, { resolve: (value: never) => void; reject: (err: Error) => void }>();
  private nextId = 1;
  private failure: Error | null = null;

  /** `dataKey`: with field encryption on, the active data key the thread seals payloads with (in memory only). */
  constructor(file: string, dataKey?: DataKey) {
    this.thread = new Worker(threadFile, { workerData: { file, busyTimeoutMs: BUSY_TIMEOUT_MS, cacheKib: SQLITE_CACHE_KIB, fields: FIELDS, dataKey: dataKey ?? null } });
    // An idle writer does not keep the process alive; one with work in flight does.
    this.thread.unref();
    this.thread.on('message', (reply: Reply) => {
      const waiter = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (this.pending.size === 0) this.thread.unref();
      if (!waiter) return;
      if ('error' in reply) waiter.reject(Object.assign(new Error(`event log writer: ${reply.error.message}`), { code: reply.error.code }));
      else waiter.resolve(('seqs' in reply ? reply.seqs : 'pruned' in reply ? reply.pruned : undefined) as never);
    });
    this.thread.on('error', (err) => this.fail(err));
    this.thread.on('exit', (code) => this.fail(new Error(`the event log writer thread exited (code ${code})`)));
  }

  append(events: NewLogEvent[], cutoff: number): Promise<(number | null)[]> {
    // One flat array: structured-cloning it costs less than an array per event.
    const rows: Field[] = new Array(events.length * FIELDS);
    let i = 0;
    for (const e of events) {
      rows[i++] = e.sourceId;
      rows[i++] = e.messageId;
      rows[i++] = e.type;
      rows[i++] = e.event;
      rows[i++] = e.userId;
      rows[i++] = e.anonymousId;
      rows[i++] = e.ts;
      rows[i++] = e.receivedAt;
      rows[i++] = e.payload;
    }
    return this.request({ rows, cutoff });
  }

  /** After a key rotation: later appends are sealed under this data key. Messages are handled in order. */
  useDataKey(dataKey: DataKey): void {
    if (!this.failure) this.thread.postMessage({ dataKey });
  }

  /** Key rotation, on the log's connection: payloads moved to the active data key, one commit per batch. */
  reseal(rows: ResealedPayload[]): Promise<number> {
    return this.request({ reseal: rows });
  }

  /** On the log's connection: the main connection sees the log file read-only. */
  pruneDedupe(cutoff: number): Promise<number> {
    return this.request({ prune: cutoff });
  }

  /** Erasure, on the log's connection: removes these events; returns how many. */
  purge(seqs: number[]): Promise<number> {
    return this.request({ purge: seqs });
  }

  /**
   * Erasure: checkpoints the WAL into log.db and truncates it; unless `vacuum` is false, also rebuilds
   * log.db (VACUUM). The writer deletes with secure_delete on, so the checkpoint alone usually suffices.
   */
  compact(options?: { vacuum?: boolean }): Promise<void> {
    return this.request({ compact: true, vacuum: options?.vacuum !== false });
  }

  private request<T>(message: object): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: never) => void, reject });
      if (this.pending.size === 1) this.thread.ref();
      this.thread.postMessage({ id, ...message });
    });
  }

  /** Call after the last append has settled: closes the thread's connection and ends the thread. */
  async close(): Promise<void> {
    if (this.failure) return;
    const exited = new Promise((resolve) => this.thread.once('exit', resolve));
    this.thread.ref(); // an unreferenced thread's exit would not keep this process waiting for it
    this.thread.postMessage({ close: true });
    await exited;
  }

  private fail(err: Error) {
    this.failure ??= err;
    for (const waiter of this.pending.values()) waiter.reject(this.failure);
    this.pending.clear();
  }
}
