// A pipeline stage: consumes an ordered, durable feed (the event log, the profile-change feed, the
// membership-change feed) after its stored position, and applies each batch in ONE transaction
// together with the new position. A crash anywhere resumes from the last committed position, so
// each item takes effect exactly once in the store. Side effects outside the store go through an
// outbox written in that same transaction.
import type { Transaction } from 'kysely';
import type { Database, Db, Dialect } from '../storage/index.js';

export interface Feed<T> {
  /** Items after `position`, oldest first, each with its own position. */
  readAfter(position: number, limit: number): Promise<{ position: number; item: T }[]>;
  /** In-process wake-up when new items may be available; returns an unsubscribe function. */
  onAppend?(listener: () => void): () => void;
  /** Releases what the feed holds (a thread, say) when its stage stops. */
  close?(): Promise<void>;
}

export interface StageOptions<T> {
  name: string;
  db: Db;
  dialect: Dialect;
  feed: Feed<T>;
  /**
   * Applies a batch inside the stage transaction. Throwing rolls back the batch and position. A
   * consumer that must not run ahead of another stage may take only a prefix of the batch: it returns
   * the position of the last item it applied (below the first item: none); the rest is read again later.
   */
  apply(trx: Transaction<Database>, items: { position: number; item: T }[]): Promise<void | number>;
  /** Called after a batch committed (e.g. to wake the next stage). */
  afterCommit?(items: { position: number; item: T }[]): void;
  /** The most items one transaction takes. */
  batchSize?: number;
  /** Polling interval for changes made by other processes (scale-out mode). */
  pollMs?: number;
  onError?(err: unknown): void;
}

/**
 * In one process, stages wake each other on commit; the poll only picks up work written by other
 * processes (an API process appending to the log read by a worker process), so it bounds that latency.
 */
const DEFAULT_POLL_MS = 200;

export class Stage<T> {
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private pendingWake = false;
  private unsubscribe: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly commitListeners = new Set<() => void>();

  constructor(private readonly o: StageOptions<T>) {}

  get name(): string {
    return this.o.name;
  }

  static async position(db: Db, stage: string): Promise<number> {
    const row = await db.selectFrom('stage_offsets').select('position').where('stage', '=', stage).executeTakeFirst();
    return row ? Number(row.position) : 0;
  }

  start() {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.o.feed.onAppend?.(() => this.poke());
    this.timer = setInterval(() => this.poke(), this.o.pollMs ?? DEFAULT_POLL_MS);
    this.timer.unref();
    this.loop = this.run();
  }

  async stop() {
    this.running = false;
    this.unsubscribe?.();
    clearInterval(this.timer);
    this.poke();
    await this.loop;
    await this.o.feed.close?.();
  }

  /** Processes until the feed is exhausted (for tests, imports and benchmarks); returns the item count. */
  async drain(): Promise<number> {
    let total = 0;
    for (let n = await this.step(); n > 0; n = await this.step()) total += n;
    return total;
  }

  /** In-process notification after each committed batch: how the next stage is woken at once. */
  onCommit(listener: () => void): () => void {
    this.commitListeners.add(listener);
    return () => this.commitListeners.delete(listener);
  }

  poke() {
    this.pendingWake = true;
    this.wake?.();
  }

  /** One batch: returns how many items were applied. */
  async step(): Promise<number> {
    const { db, name, feed, batchSize = 500 } = this.o;
    let applied: { position: number; item: T }[] = [];
    // The feed is read before the transaction: on SQLite the one connection is held by an open
    // transaction, so a feed reading through `db` inside it would wait for itself forever.
    const from = await Stage.position(db, name);
    const items = await feed.readAfter(from, batchSize);
    if (items.length === 0) return 0;
    let raced = false;
    // Everything a stage writes is derived from its feed and replayed from its stored position.
    await this.o.dialect.derivedTransaction(db, async (trx) => {
      // One runner per stage at a time, even with several worker processes.
      await this.o.dialect.lockName(trx, `stage:${name}`);
      const row = await trx.selectFrom('stage_offsets').select('position').where('stage', '=', name).executeTakeFirst();
      // Another runner applied these items first: read again from its position.
      if ((row ? Number(row.position) : 0) !== from) return void (raced = true);
      const upTo = await this.o.apply(trx, items);
      const taken = upTo === undefined ? items : items.filter((i) => i.position <= upTo);
      if (taken.length === 0) return;
      const to = taken[taken.length - 1].position;
      await trx
        .insertInto('stage_offsets')
        .values({ stage: name, position: to })
        .onConflict((oc) => oc.column('stage').doUpdateSet({ position: to }))
        .execute();
      applied = taken;
    });
    if (raced) return this.step();
    if (applied.length > 0) {
      this.o.afterCommit?.(applied);
      for (const listener of this.commitListeners) listener();
    }
    return applied.length;
  }

  private async run() {
    while (this.running) {
      this.pendingWake = false;
      try {
        if ((await this.step()) > 0) continue;
      } catch (err) {
        this.o.onError?.(err);
        await new Promise((r) => setTimeout(r, 500));
      }
      if (!this.running) break;
      if (!this.pendingWake) await new Promise<void>((r) => (this.wake = r));
      this.wake = null;
    }
  }
}
