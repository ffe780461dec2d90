// A pipeline stage: consumes an ordered, durable feed (the event log, the profile-change feed, the
// membership-change feed) after its stored position, and applies each batch in ONE transaction
// together with the new position. A crash anywhere resumes from the last committed position, so
// each item takes effect exactly once in the store. Side effects outside the store go through an
// outbox written in that same transaction.
//
// Fault isolation: an error the store calls transient (busy, connection lost: isTransientError) is
// retried with backoff for as long as it lasts and sets nothing aside. Any other error makes the stage
// find the item that causes it (the batch is halved from the front until one item fails alone), retry
// that item a bounded number of times, then set it aside (stage-failures.ts) in a transaction that
// also moves the position past it: one item never stops the items behind it. A set-aside item can be
// replayed (replay()), which applies it alone, out of order, exactly once.
import type { Transaction } from 'kysely';
import type { Database, Db, Dialect } from '../storage/index.js';
import { isTransientError } from '../storage/transient-errors.js';
import { systemClock, type Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import { markReplayed, openFailure, recordReplayError, setAside, stageItems } from './stage-failures.js';
import type { SealedJson } from '../shared/encryption/sealed-json.js';

export interface Feed<T> {
  /** Items after `position`, oldest first, each with its own position. */
  readAfter(position: number, limit: number): Promise<{ position: number; item: T }[]>;
  /** In-process wake-up when new items may be available; returns an unsubscribe function. */
  onAppend?(listener: () => void): () => void;
  /** Releases what the feed holds (a thread, say) when its stage stops. */
  close?(): Promise<void>;
  /** The newest position in the feed (0: empty), for the stage's lag. */
  head?(): Promise<number>;
}

/** What a stage reports about a failure: the stage, the item and the reason, once per distinct failure. */
export interface StageFailureContext {
  stage: string;
  position?: number;
  itemKey?: string | null;
  attempt?: number;
  transient: boolean;
  setAside?: boolean;
  message: string;
}

/** The usual onError: one structured log line per distinct failure, naming the stage, the item and the reason. */
export const logStageFailures =
  (log: { error(obj: object, msg: string): void; warn(obj: object, msg: string): void }) =>
  (err: unknown, context: StageFailureContext) =>
    context.transient ? log.warn({ err, ...context }, context.message) : log.error({ err, ...context }, context.message);

/** Tests only: called inside the stage transaction for each item before the stage applies it; throwing fails the item. */
export type StageFault = (stage: string, position: number, item: unknown) => void;

/** Attempts of an item that fails alone before it is set aside. */
export const ITEM_ATTEMPTS = 3;
const ITEM_RETRY_MS = 100;
const TRANSIENT_BACKOFF_MS = { first: 100, max: 5_000 };

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
  /** The person an item belongs to, recorded with a set-aside item and named in logs. */
  itemKey?(item: T): string | null;
  /** Called once per distinct failure (not on every retry of the same one), and when an item is set aside. */
  onError?(err: unknown, context: StageFailureContext): void;
}

/** The stage's own account of its health in this process (metrics, GET /v1/pipeline/health). */
export interface StageStatus {
  running: boolean;
  /** Failed attempts since the last batch that committed (transient or not). */
  consecutiveFailures: number;
  lastError: string | null;
  lastErrorAt: number | null;
  /** When the current run of failures began (null: the last attempt succeeded). */
  failingSince: number | null;
  /** When the stage last committed a batch, or found its feed caught up. */
  lastProgressAt: number | null;
  /** Items this process set aside since it started. */
  setAside: number;
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
  /** Operational time (progress, failures, set-aside): the wall clock, whatever clock the data path uses. */
  private readonly clock: Clock = systemClock;
  /** While isolating a failing item: smaller reads, up to the end of the batch that failed. */
  private isolating: { limit: number; until: number } | undefined;
  private transientDelayMs = 0;
  private lastReported = '';
  private fault: StageFault | undefined;
  private gatherMs = 0;
  /**
   * The position this runner last committed (or read from the store), so that the next batch reads the
   * feed from there instead of querying stage_offsets first. Only a hint: the stage transaction still
   * checks the stored position and answers 'raced' if another runner (or a rewind) moved it, and it is
   * dropped whenever the feed has nothing after it, so a position moved back while idle is re-read.
   */
  private known: number | undefined;
  readonly status: StageStatus = { running: false, consecutiveFailures: 0, lastError: null, lastErrorAt: null, failingSince: null, lastProgressAt: null, setAside: 0 };

  /** stage_failures.item: in clear unless sealItemsWith() gives the installation's cipher. */
  private items: SealedJson;

  constructor(private readonly o: StageOptions<T>) {
    this.items = stageItems(o.dialect, undefined);
  }

  /** With field encryption on (createMeridian, for every stage): set-aside items are sealed at rest. */
  sealItemsWith(items: SealedJson) {
    this.items = items;
  }

  /** Tests only (createMeridian's `stageFault`): a seam that makes chosen items fail. */
  injectFault(fault: StageFault | undefined) {
    this.fault = fault;
  }

  /**
   * Woken with less than a full batch waiting, wait up to `ms` for more items before the transaction:
   * under a stream of small appends (one event per request) a stage otherwise ran a whole transaction,
   * position read and commit for every few events. A full batch still goes at once; each stage adds at
   * most `ms` to the time from acknowledgement to its result. The pipeline thread sets it.
   */
  gather(ms: number) {
    this.gatherMs = ms;
  }

  /** The newest position of the feed, when the feed can tell. */
  head(): Promise<number> | undefined {
    return this.o.feed.head?.();
  }

  get name(): string {
    return this.o.name;
  }

  /** Whether items set aside under this stage name are this stage's to replay. */
  owns(stage: string): boolean {
    return stage === this.o.name;
  }

  static async position(db: Db, stage: string): Promise<number> {
    const row = await db.selectFrom('stage_offsets').select('position').where('stage', '=', stage).executeTakeFirst();
    return row ? Number(row.position) : 0;
  }

  start() {
    if (this.running) return;
    this.running = true;
    this.status.running = true;
    // Progress is judged from the start on: a stage that never commits is reported stuck.
    this.status.lastProgressAt = this.clock.now();
    this.unsubscribe = this.o.feed.onAppend?.(() => this.poke());
    this.timer = setInterval(() => this.poke(), this.o.pollMs ?? DEFAULT_POLL_MS);
    this.timer.unref();
    this.loop = this.run();
  }

  async stop() {
    this.running = false;
    this.status.running = false;
    this.unsubscribe?.();
    clearInterval(this.timer);
    this.poke();
    await this.loop;
    await this.o.feed.close?.();
  }

  /** Processes until the feed is exhausted (for tests, imports and benchmarks); returns the item count. */
  async drain(): Promise<number> {
    let total = 0;
    for (let n = await this.step(); n > 0; n = await this.step()) {
      total += n;
      await turn();
    }
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

  /**
   * One batch: returns how many items were applied or set aside. A transient error is thrown (the
   * run loop retries it with backoff); any other error isolates the failing item first.
   */
  async step(): Promise<number> {
    const { db, name, feed, batchSize = 500 } = this.o;
    // The feed is read before the transaction: on SQLite the one connection is held by an open
    // transaction, so a feed reading through `db` inside it would wait for itself forever.
    const from = this.known ?? (await Stage.position(db, name));
    this.known = undefined;
    if (this.isolating && from >= this.isolating.until) this.isolating = undefined;
    const items = await feed.readAfter(from, this.isolating?.limit ?? batchSize);
    if (items.length === 0) {
      this.progressed();
      return 0;
    }
    let outcome: { position: number; item: T }[] | 'raced';
    try {
      outcome = await this.applyBatch(from, items);
    } catch (err) {
      if (isTransientError(err)) throw err;
      return this.isolate(from, items, err);
    }
    if (outcome === 'raced') return this.step();
    // Committed: the stored position is now the last item taken (or still `from` if none was).
    this.known = outcome.length > 0 ? outcome[outcome.length - 1].position : from;
    this.progressed();
    if (outcome.length > 0) this.committed(outcome);
    return outcome.length;
  }

  /** Applies items after `from` in one transaction with the new position; 'raced' if another runner moved it. */
  private async applyBatch(from: number, items: { position: number; item: T }[]): Promise<{ position: number; item: T }[] | 'raced'> {
    const { db, name } = this.o;
    let applied: { position: number; item: T }[] | 'raced' = [];
    // Everything a stage writes is derived from its feed and replayed from its stored position.
    await this.o.dialect.derivedTransaction(db, async (trx) => {
      // One runner per stage at a time, even with several worker processes.
      await this.o.dialect.lockName(trx, `stage:${name}`);
      const row = await trx.selectFrom('stage_offsets').select('position').where('stage', '=', name).executeTakeFirst();
      // Another runner applied these items first: read again from its position.
      if ((row ? Number(row.position) : 0) !== from) return void (applied = 'raced');
      if (this.fault) for (const i of items) this.fault(name, i.position, i.item);
      const upTo = await this.o.apply(trx, items);
      const taken = upTo === undefined ? items : items.filter((i) => i.position <= upTo);
      if (taken.length === 0) return;
      const to = taken[taken.length - 1].position;
      await this.savePosition(trx, to);
      // A stage rewound past items it had set aside (an identity rebuild) has just applied them: a
      // later replay must not apply them twice.
      await trx
        .updateTable('stage_failures')
        .set({ status: 'replayed', replayed_at: this.clock.now() })
        .where('stage', '=', name)
        .where('status', '=', 'open')
        .where('position', '>', from)
        .where('position', '<=', to)
        .execute();
      applied = taken;
    });
    return applied;
  }

  private async savePosition(trx: Transaction<Database>, to: number) {
    await trx
      .insertInto('stage_offsets')
      .values({ stage: this.o.name, position: to })
      .onConflict((oc) => oc.column('stage').doUpdateSet({ position: to }))
      .execute();
  }

  /**
   * A batch failed with a non-transient error: halve it from the front until one item fails alone,
   * retry that one ITEM_ATTEMPTS times, then set it aside with the position moved past it.
   */
  private async isolate(from: number, items: { position: number; item: T }[], err: unknown): Promise<number> {
    this.failed(err);
    if (items.length > 1) {
      this.isolating = { limit: Math.ceil(items.length / 2), until: items[items.length - 1].position };
      return this.step();
    }
    const [only] = items;
    const itemKey = this.o.itemKey?.(only.item) ?? null;
    for (let attempt = 1; ; attempt++) {
      this.report(err, { position: only.position, itemKey, attempt, transient: false, message: `stage ${this.o.name}: the item at position ${only.position}${itemKey ? ` (${itemKey})` : ''} fails (tried ${ITEM_ATTEMPTS} times before it is set aside): ${reason(err)}` });
      if (attempt >= ITEM_ATTEMPTS) break;
      await new Promise((r) => setTimeout(r, ITEM_RETRY_MS * attempt));
      let outcome: { position: number; item: T }[] | 'raced';
      try {
        outcome = await this.applyBatch(from, items);
      } catch (again) {
        if (isTransientError(again)) throw again;
        err = again;
        this.failed(err);
        continue;
      }
      if (outcome === 'raced') return this.step();
      this.progressed();
      if (outcome.length > 0) this.committed(outcome);
      return outcome.length;
    }
    let raced = false;
    await this.o.dialect.derivedTransaction(this.o.db, async (trx) => {
      await this.o.dialect.lockName(trx, `stage:${this.o.name}`);
      const row = await trx.selectFrom('stage_offsets').select('position').where('stage', '=', this.o.name).executeTakeFirst();
      if ((row ? Number(row.position) : 0) !== from) return void (raced = true);
      const code = err instanceof AppError ? err.code : ((err as { code?: unknown })?.code?.toString() ?? 'stage_error');
      await setAside(trx, this.items, { stage: this.o.name, position: only.position, itemKey, code, error: reason(err), item: only.item, attempts: ITEM_ATTEMPTS, at: this.clock.now() });
      await this.savePosition(trx, only.position);
    });
    if (raced) return this.step();
    this.status.setAside++;
    this.report(err, { position: only.position, itemKey, transient: false, setAside: true, message: `stage ${this.o.name}: set aside the item at position ${only.position}${itemKey ? ` (${itemKey})` : ''} after ${ITEM_ATTEMPTS} attempts, and moved on: ${reason(err)} (replay it with POST /v1/pipeline/failures/{id}/replay once the cause is fixed)` });
    this.committed([]);
    return 1;
  }

  /**
   * Applies a set-aside item alone, in the stage transaction, and marks it replayed in the same one:
   * exactly once even if two replays of it race. Out of order by design: later items of the same
   * person went on without it (docs/architecture.md).
   */
  async replay(id: string): Promise<void> {
    const { db, name } = this.o;
    let replayed: { position: number; item: T }[] = [];
    try {
      await this.o.dialect.derivedTransaction(db, async (trx) => {
        await this.o.dialect.lockName(trx, `stage:${name}`);
        const failure = await openFailure(trx, this.items, id);
        if (!failure || failure.stage !== name) throw new AppError('stage_failure_not_found', 404, `no set-aside item ${id} in stage ${name}`);
        if (failure.status !== 'open') throw new AppError('already_replayed', 409, `the item ${id} was already replayed`);
        const items = [{ position: Number(failure.position), item: failure.item as T }];
        if (this.fault) this.fault(name, items[0].position, items[0].item);
        const upTo = await this.o.apply(trx, items);
        if (upTo !== undefined && upTo < items[0].position)
          throw new AppError('replay_not_ready', 409, `stage ${name} cannot apply the item yet (it waits for an earlier stage): try again later`);
        await markReplayed(trx, id, this.clock.now());
        replayed = items;
      });
    } catch (err) {
      if (err instanceof AppError && REPLAY_REFUSALS.has(err.code)) throw err;
      if (!isTransientError(err)) await recordReplayError(db, id, reason(err));
      throw new AppError('replay_failed', 409, `the item still fails in stage ${name}: ${reason(err)}`);
    }
    this.committed(replayed);
  }

  private committed(applied: { position: number; item: T }[]) {
    if (applied.length > 0) this.o.afterCommit?.(applied);
    for (const listener of this.commitListeners) listener();
  }

  private progressed() {
    this.status.consecutiveFailures = 0;
    this.status.failingSince = null;
    this.status.lastProgressAt = this.clock.now();
    this.transientDelayMs = 0;
    this.lastReported = '';
  }

  private failed(err: unknown) {
    this.status.consecutiveFailures++;
    this.status.lastError = reason(err);
    this.status.lastErrorAt = this.clock.now();
    this.status.failingSince ??= this.status.lastErrorAt;
  }

  /** Logs a failure once, not on every retry of the same one. */
  private report(err: unknown, context: Omit<StageFailureContext, 'stage'>) {
    const key = `${context.position ?? ''}|${context.setAside ?? ''}|${reason(err)}`;
    if (key === this.lastReported) return;
    this.lastReported = key;
    this.o.onError?.(err, { stage: this.o.name, ...context });
  }

  private async run() {
    while (this.running) {
      this.pendingWake = false;
      try {
        const n = await this.step();
        if (n > 0) {
          // A partial batch: let more items arrive first (see gather), unless a backlog is being worked off.
          if (this.gatherMs > 0 && n < (this.o.batchSize ?? 500) && this.running) await new Promise((r) => setTimeout(r, this.gatherMs));
          else await turn();
          continue;
        }
      } catch (err) {
        // Transient (the store is busy or unreachable): the same batch again, after a growing pause.
        this.failed(err);
        this.report(err, { transient: true, message: `stage ${this.o.name}: the store is unavailable, retrying: ${reason(err)}` });
        this.transientDelayMs = Math.min(TRANSIENT_BACKOFF_MS.max, this.transientDelayMs * 2 || TRANSIENT_BACKOFF_MS.first);
        await new Promise((r) => setTimeout(r, this.transientDelayMs));
        continue;
      }
      if (!this.running) break;
      if (!this.pendingWake) await new Promise<void>((r) => (this.wake = r));
      this.wake = null;
    }
  }
}

/**
 * One event-loop turn between batches. On SQLite a batch's queries complete synchronously, so a stage
 * working off a backlog would otherwise run batch after batch without the loop ever reading a socket:
 * in the default single process, HTTP requests (and their acknowledgements) waited for the whole backlog.
 */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

const REPLAY_REFUSALS = new Set(['stage_failure_not_found', 'already_replayed', 'replay_not_ready']);
const reason = (err: unknown) => (err instanceof Error ? err.message : String(err));
