// The identity stage's input: log events prepared for resolution (prepare.ts). On the embedded store,
// while the stage is busy (it just took a full batch of at least PREFETCH_MIN_BATCH events), a prefetch
// thread (prefetch-thread.ts) reads and prepares the next batch while the stage applies the current
// one: reading the log, parsing payloads and extracting identifiers took about 28 % of the stage's
// thread (npm run bench:identity, docs/identity.md). Otherwise (smaller batches, PostgreSQL, a failed
// thread) the stage's own thread prepares them. Either way each batch carries the rules it was prepared
// under, and the stage prepares it again if its transaction reads other rules.
import type { Worker } from 'node:worker_threads';
import type { Db, Dialect } from '../storage/index.js';
import { vaultOf } from '../shared/encryption/pii-vault.js';
import type { EventLog, Feed } from '../log/index.js';
import { SQLITE_CACHE_KIB } from '../storage/open.js';
import { startModuleWorker } from '../shared/module-worker.js';
import { loadRules } from './rules-store.js';
import type { IdentityRules } from './schema.js';
import { prepareEvent, type IdentityInput } from './prepare.js';
import { keyingOf, type KeyOf } from './keying.js';

type Item = { position: number; item: IdentityInput };

export interface IdentityFeed extends Feed<IdentityInput> {
  /** Batches a prefetch thread prepared (for operations and tests). */
  readonly stats: { prefetched: number };
  close(): Promise<void>;
}

/** `dialect` finds the store's field-encryption vault (without it identifiers are keyed in clear). */
export function identityFeed(db: Db, log: EventLog, dialect?: Dialect): IdentityFeed {
  return log.file ? new PrefetchingFeed(db, dialect, log, log.file) : new InProcessFeed(db, dialect, log);
}

/** The workspace's rules as the feed reads them before a batch, and as JSON: what a batch carries. */
interface Rules {
  rules: IdentityRules;
  json: string;
  /** The graph key of an identifier (blind index of classified types under field encryption). */
  keyOf: KeyOf;
}

async function currentRules(db: Db, dialect: Dialect | undefined): Promise<Rules> {
  const rules = await loadRules(db);
  const { json, keyOf } = await keyingOf(dialect, rules);
  return { rules, json, keyOf };
}

class InProcessFeed implements IdentityFeed {
  readonly onAppend: IdentityFeed['onAppend'];
  readonly head: IdentityFeed['head'];
  readonly stats = { prefetched: 0 };
  constructor(
    private readonly db: Db,
    private readonly dialect: Dialect | undefined,
    private readonly log: EventLog,
  ) {
    ({ onAppend: this.onAppend, head: this.head } = log.asFeed());
  }

  async readAfter(position: number, limit: number): Promise<Item[]> {
    return this.read(position, limit, await currentRules(this.db, this.dialect));
  }

  async read(position: number, limit: number, rules: Rules): Promise<Item[]> {
    return (await this.log.readAfter(position, limit)).map((e) => ({ position: e.seq, item: { event: prepareEvent(e, rules.rules, null, rules.keyOf), rules: rules.json } }));
  }

  async close(): Promise<void> {}
}

interface Request {
  after: number;
  limit: number;
  rules: string;
  result: Promise<IdentityInput['event'][]>;
}

/** Smaller batches are prepared in place: a thread is worth it only when the stage is busy. */
const PREFETCH_MIN_BATCH = 256;
/** A thread idle this long ends; the next full batch starts another. */
const IDLE_MS = 10_000;

class PrefetchingFeed implements IdentityFeed {
  readonly onAppend: IdentityFeed['onAppend'];
  readonly head: IdentityFeed['head'];
  readonly stats = { prefetched: 0 };
  private readonly inProcess: InProcessFeed;
  private thread: Worker | null = null;
  private readonly pending = new Map<number, { resolve: (events: IdentityInput['event'][]) => void; reject: (err: Error) => void }>();
  private nextId = 1;
  /** The batch after the one last returned, requested as that one was returned. */
  private ahead: Request | null = null;
  private idle: NodeJS.Timeout | undefined;
  /** Set when a thread failed or the feed closed: from then on the stage's thread prepares. */
  private stopped = false;

  constructor(
    private readonly db: Db,
    private readonly dialect: Dialect | undefined,
    private readonly log: EventLog,
    private readonly logFile: string,
  ) {
    ({ onAppend: this.onAppend, head: this.head } = log.asFeed());
    this.inProcess = new InProcessFeed(db, dialect, log);
  }

  async readAfter(position: number, limit: number): Promise<Item[]> {
    const rules = await currentRules(this.db, this.dialect);
    const request = this.ahead;
    this.ahead = null;
    let events: IdentityInput['event'][] | null = null;
    // A prefetch is only good for the position the stage asks for (another runner may have moved it).
    if (request && request.after === position && request.limit === limit && request.rules === rules.json)
      events = await request.result.catch(() => null); // the thread failed: prepared here instead
    if (events === null) return this.takeAndPrefetch(await this.inProcess.read(position, limit, rules), limit, rules.json);
    if (events.length > 0) this.stats.prefetched++;
    return this.takeAndPrefetch(events.map((event) => ({ position: event.seq, item: { event, rules: rules.json } })), limit, rules.json);
  }

  /** A full batch: more is likely waiting, so the thread prepares it while this one is applied. */
  private takeAndPrefetch(items: Item[], limit: number, rules: string): Item[] {
    if (items.length === limit && limit >= PREFETCH_MIN_BATCH && !this.stopped) this.ahead = this.request(items[items.length - 1].position, limit, rules);
    return items;
  }

  private request(after: number, limit: number, rules: string): Request {
    const thread = this.thread ?? this.startThread();
    const id = this.nextId++;
    const result = new Promise<IdentityInput['event'][]>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      thread.ref(); // a request in flight keeps the process alive; an idle thread does not
      thread.postMessage({ id, after, limit, rules });
    });
    result.catch(() => {}); // a prefetch nobody asks for again must not be an unhandled rejection
    return { after, limit, rules, result };
  }

  private startThread(): Worker {
    // Sealed payloads (field encryption) are opened in the thread with the data keys known now, in
    // memory only; a value under a key added later fails the prefetch and that batch is read here.
    const dataKeys = this.log.payloads.cipher?.dataKeys() ?? [];
    // Under field encryption the thread computes blind indexes of identifiers too: it gets the index key.
    const index = this.dialect && vaultOf(this.dialect)?.cipher;
    const blindIndex = index && { id: index.blindIndex.id, key: index.blindIndexKey.toString('hex') };
    const thread = startModuleWorker(import.meta.url, './prefetch-thread', { logFile: this.logFile, cacheKib: SQLITE_CACHE_KIB, dataKeys, blindIndex });
    thread.on('message', (reply: { id: number; events?: IdentityInput['event'][]; error?: string }) => {
      const waiter = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (this.pending.size === 0) {
        thread.unref();
        clearTimeout(this.idle);
        this.idle = setTimeout(() => void this.endThread(), IDLE_MS).unref();
      }
      if (reply.error !== undefined) waiter?.reject(new Error(`identity prefetch thread: ${reply.error}`));
      else waiter?.resolve(reply.events!);
    });
    const fail = (err: Error) => {
      if (this.thread !== thread) return; // ended on purpose
      this.stopped = true;
      this.thread = null;
      for (const waiter of this.pending.values()) waiter.reject(err);
      this.pending.clear();
    };
    thread.on('error', fail);
    thread.on('exit', (code) => fail(new Error(`the identity prefetch thread exited (code ${code})`)));
    this.thread = thread;
    return thread;
  }

  private async endThread(): Promise<void> {
    const thread = this.thread;
    if (!thread || this.pending.size > 0) return;
    this.thread = null;
    this.ahead = null;
    const exited = new Promise((resolve) => thread.once('exit', resolve));
    thread.ref(); // an unreferenced thread's exit would not keep this process waiting for it
    thread.postMessage({ close: true });
    await exited;
  }

  async close(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.idle);
    if (this.ahead) await this.ahead.result.catch(() => null);
    await this.endThread();
  }
}
