// Background WAL checkpoints for the embedded store. SQLite checkpoints a WAL file from whichever
// connection commits past `wal_autocheckpoint` pages, inside that COMMIT: copying the pages into the
// database file and fsyncing it. On the main thread that stopped the event loop for about 7 % of the
// identity stage's time (npm run bench:identity). Here a worker thread with its own connection
// (checkpoint-thread.mjs) checkpoints right after each commit of this process, while the committer
// goes on with its next batch: when the checkpoint is complete before that batch's transaction
// begins, SQLite starts the WAL over from its beginning. The writing connection keeps a high
// autocheckpoint as a fallback: if the thread lags or dies, it checkpoints itself and the WAL stays
// bounded.
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';

const threadFile = fileURLToPath(new URL('./checkpoint-thread.mjs', import.meta.url));
/** Checkpoints also run on this timer, for commits by other processes. */
const INTERVAL_MS = 1000;
/**
 * At most one checkpoint per this many ms follows commits. A checkpoint fsyncs the database file:
 * after every small commit of a caught-up pipeline that was hundreds of fsyncs a second, which slowed
 * the API's log commits beside it (npm run bench:ingest); a stage batch of the identity stage takes
 * about this long, so a busy stage still has its WAL checkpointed between two batches.
 */
const MIN_GAP_MS = 100;
/** The writing connection checkpoints itself past this many WAL pages (16 MiB): the thread's fallback. */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 4000;

/** How long a compaction waits for another connection's write lock. */
const COMPACT_BUSY_MS = 60_000;

export class WalCheckpointer {
  private readonly thread: Worker;
  private failed = false;
  private lastPoke = 0;
  private nextCompaction = 1;
  private readonly compactions = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();

  /** `onFailure` runs once if the thread fails: the caller restores SQLite's own checkpoints. */
  constructor(file: string, onFailure: (err: Error) => void) {
    this.thread = new Worker(threadFile, { workerData: { file, intervalMs: INTERVAL_MS, compactBusyMs: COMPACT_BUSY_MS } });
    // Background work only: never what keeps a process alive.
    this.thread.unref();
    const fail = (err: Error) => {
      if (this.failed) return;
      this.failed = true;
      onFailure(err);
    };
    this.thread.on('message', (msg: { compacted?: number; error?: string }) => {
      const waiter = msg.compacted !== undefined ? this.compactions.get(msg.compacted) : undefined;
      if (!waiter) return;
      this.compactions.delete(msg.compacted!);
      if (this.compactions.size === 0) this.thread.unref();
      if (msg.error) waiter.reject(new Error(`compaction of the store failed: ${msg.error}`));
      else waiter.resolve();
    });
    this.thread.on('error', fail);
    this.thread.on('exit', (code) => fail(new Error(`the WAL checkpoint thread exited (code ${code})`)));
  }

  /** After a commit: checkpoint now, unless one was asked for less than MIN_GAP_MS ago. */
  poke(): void {
    const now = performance.now();
    if (this.failed || now - this.lastPoke < MIN_GAP_MS) return;
    this.lastPoke = now;
    this.thread.postMessage({ checkpoint: true });
  }

  /**
   * Erasure: checkpoint (TRUNCATE), VACUUM and checkpoint again, in the thread — the file then holds only
   * live rows and the WAL is empty (src/privacy/dsr).
   */
  compact(): Promise<void> {
    if (this.failed) return Promise.reject(new Error('the WAL checkpoint thread is not running: the store cannot be compacted'));
    const id = this.nextCompaction++;
    return new Promise<void>((resolve, reject) => {
      this.compactions.set(id, { resolve, reject });
      this.thread.ref(); // a compaction in flight keeps the process waiting for it
      this.thread.postMessage({ compact: id });
    });
  }

  /** Before the store's connections close: their last close then checkpoints and removes the WAL. */
  async close(): Promise<void> {
    if (this.failed) return;
    this.failed = true; // its exit is expected from here on
    const exited = new Promise((resolve) => this.thread.once('exit', resolve));
    this.thread.ref();
    this.thread.postMessage({ close: true });
    await exited;
  }
}
