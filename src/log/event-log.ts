// The event log: the durable, ordered source of truth every later stage reads. Appends are
// deduplicated per source and messageId within a window and acknowledged only after commit.
import type { Selectable } from 'kysely';
import type { EventsTable } from '../storage/schema.js';
import type { Db, Dialect } from '../storage/index.js';
import type { Clock } from '../shared/clock.js';
import { encodeCursor, decodeCursor, type Page } from '../shared/paging.js';
import { GroupCommit } from './group-commit.js';
import { SqlLogWriter } from './sql-writer.js';
import { SqliteLogWriter } from './sqlite-writer.js';
import type { LogWriter, NewLogEvent } from './log-writer.js';
import type { FieldCipher } from '../shared/encryption/field-cipher.js';
import type { SealedColumn } from '../shared/encryption/reencrypt.js';
import { SealedJson } from '../shared/encryption/sealed-json.js';

export type { NewLogEvent } from './log-writer.js';

export interface StoredEvent extends Omit<NewLogEvent, 'payload'> {
  seq: number;
  payload: Record<string, unknown>;
}

/** `suppressed`: refused by the admission check (an identifier of a person who asked to be forgotten). */
export type AppendOutcome = { status: 'accepted'; seq: number } | { status: 'duplicate' } | { status: 'suppressed' };

/** Which of these events may enter the log (src/privacy/dsr's suppression list); true = admitted. */
export type Admission = (events: NewLogEvent[]) => Promise<boolean[]>;

export interface EventQuery {
  sourceId?: string;
  userId?: string;
  anonymousId?: string;
  type?: string;
  /** Only events received at or after this epoch ms. */
  since?: number;
  limit: number;
  cursor?: string;
}

export interface LogOptions {
  clock: Clock;
  /** How long a messageId is remembered per source, in ms. */
  dedupeWindowMs: number;
  /** The embedded store's log file (Storage.logFile), required on SQLite: the writer thread's. */
  logFile?: string;
  /**
   * Field encryption at rest (a KEK configured): payloads are sealed by the writer (SQLite: in its
   * thread, off the event loop) and opened on read. The indexed columns stay in clear: user_id and
   * anonymous_id are the pseudonymous ids the read API and data-subject requests look events up by.
   */
  cipher?: FieldCipher;
}

type Listener = (events: StoredEvent[]) => void;

export class EventLog {
  private readonly group: GroupCommit<NewLogEvent, AppendOutcome>;
  private readonly listeners = new Set<Listener>();
  private readonly signals = new Set<() => void>();
  private readonly writer: LogWriter;
  private admission?: Admission;
  /** events.payload, sealed at rest with a KEK: every reader of the events table opens rows through it. */
  readonly payloads: SealedJson;

  constructor(
    private readonly db: Db,
    private readonly dialect: Dialect,
    private readonly options: LogOptions,
  ) {
    if (dialect.name === 'sqlite' && !options.logFile) throw new Error('the embedded event log needs its file (Storage.logFile)');
    this.payloads = eventPayloads(dialect, options.cipher);
    this.writer = options.logFile ? new SqliteLogWriter(options.logFile, options.cipher?.activeDataKey()) : new SqlLogWriter(db, dialect, this.payloads);
    options.cipher?.onRotate((key) => this.writer.useDataKey?.(key));
    // The writer thread commits queued groups in order, so a second group may wait in its queue.
    this.group = new GroupCommit((items) => this.commit(items), options.logFile ? 2 : 1);
  }

  /** The embedded store's log file, which readers may open read-only; undefined on PostgreSQL. */
  get file(): string | undefined {
    return this.options.logFile;
  }

  /**
   * The check every append passes, whatever the path (tracking API, connectors, imports): events it
   * refuses never reach the log.
   */
  admitWith(admission: Admission) {
    this.admission = admission;
  }

  /** Resolves when every event is durable (or known to be a duplicate or refused); outcomes follow input order. */
  async append(events: NewLogEvent[]): Promise<AppendOutcome[]> {
    if (events.length === 0) return [];
    if (!this.admission) return this.group.submit(events);
    const admitted = await this.admission(events);
    if (admitted.every(Boolean)) return this.group.submit(events);
    const kept = events.filter((_, i) => admitted[i]);
    const outcomes = kept.length > 0 ? await this.group.submit(kept) : [];
    let next = 0;
    return events.map((_, i): AppendOutcome => (admitted[i] ? outcomes[next++] : { status: 'suppressed' }));
  }

  /** In-process notification after each commit (live debugger, embedded pipeline wake-up). */
  onAppend(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * A bare signal after each commit that added events: what wakes pipeline stages (in-process or in the
   * pipeline thread). Unlike onAppend it builds nothing, so it costs the append path no payload parse.
   */
  onCommitted(signal: () => void): () => void {
    this.signals.add(signal);
    return () => this.signals.delete(signal);
  }

  /** Events after log offset `seq`, oldest first: how consumers (pipeline stages, live tails) read. */
  async readAfter(seq: number, limit: number, sourceId?: string): Promise<StoredEvent[]> {
    let query = this.db.selectFrom('events').selectAll().where('seq', '>', seq);
    if (sourceId) query = query.where('source_id', '=', sourceId);
    return toStoredEvents(await query.orderBy('seq').limit(limit).execute(), this.payloads);
  }

  /** The log as a stage input feed (positions are log offsets). */
  asFeed(): import('./stage.js').Feed<StoredEvent> {
    return {
      readAfter: async (position, limit) => (await this.readAfter(position, limit)).map((e) => ({ position: e.seq, item: e })),
      onAppend: (listener) => this.onCommitted(listener),
      head: () => this.headSeq(),
    };
  }

  /** The newest log offset, 0 for an empty log. */
  async headSeq(): Promise<number> {
    const row = await this.db.selectFrom('events').select((eb) => eb.fn.max('seq').as('seq')).executeTakeFirst();
    return Number(row?.seq ?? 0);
  }

  async query(q: EventQuery): Promise<Page<StoredEvent>> {
    const before = decodeCursor(q.cursor, (v): v is number => Number.isSafeInteger(v));
    let query = this.db.selectFrom('events').selectAll();
    if (q.sourceId) query = query.where('source_id', '=', q.sourceId);
    if (q.userId) query = query.where('user_id', '=', q.userId);
    if (q.anonymousId) query = query.where('anonymous_id', '=', q.anonymousId);
    if (q.type) query = query.where('type', '=', q.type);
    if (q.since !== undefined) query = query.where('received_at', '>=', q.since);
    if (before !== undefined) query = query.where('seq', '<', before);
    const rows = await query.orderBy('seq', 'desc').limit(q.limit + 1).execute();
    const data = await toStoredEvents(rows.slice(0, q.limit), this.payloads);
    return { data, next: rows.length > q.limit ? encodeCursor(data[data.length - 1].seq) : null };
  }

  /** The payload column, for key rotation and for sealing what was stored in clear (privacy's Reencryptor). */
  sealedColumn(): SealedColumn {
    const writer = this.writer;
    // The embedded log is written only by its writer thread: the main connection attaches it read-only.
    return this.payloads.column(this.db, writer.reseal && (async (rows) => void (await writer.reseal!(rows))));
  }

  /** Forgets messageIds older than the dedupe window. */
  async pruneDedupe(): Promise<number> {
    return this.writer.pruneDedupe(this.options.clock.now() - this.options.dedupeWindowMs);
  }

  /**
   * Erasure (data-subject delete): removes these events from the log for good. The log is otherwise
   * append-only; only src/privacy/dsr calls this.
   */
  purge(seqs: number[]): Promise<number> {
    return seqs.length === 0 ? Promise.resolve(0) : this.writer.purge([...seqs].sort((a, b) => a - b));
  }

  /** Erasure: rewrites the log's storage so that purged events leave no bytes behind (`vacuum: false`: checkpoint only). */
  compact(options?: { vacuum?: boolean }): Promise<void> {
    return this.writer.compact(options);
  }

  /** Commits what was submitted, then releases the writer; append no more after this. */
  async close(): Promise<void> {
    await this.group.drain();
    await this.writer.close?.();
  }

  private async commit(items: NewLogEvent[]): Promise<AppendOutcome[]> {
    const cutoff = this.options.clock.now() - this.options.dedupeWindowMs;
    // The same id twice in one group: only the first can be new.
    const seen = new Set<string>();
    const candidates: number[] = [];
    items.forEach((e, i) => {
      const key = `${e.sourceId}\u0000${e.messageId}`;
      if (seen.has(key)) return;
      seen.add(key);
      candidates.push(i);
    });
    const seqs = await this.writer.append(candidates.map((i) => items[i]), cutoff);
    const outcomes = items.map((): AppendOutcome => ({ status: 'duplicate' }));
    candidates.forEach((itemIndex, i) => {
      const seq = seqs[i];
      if (seq !== null) outcomes[itemIndex] = { status: 'accepted', seq };
    });
    this.notify(items, outcomes);
    return outcomes;
  }

  private notify(items: NewLogEvent[], outcomes: AppendOutcome[]) {
    if (this.signals.size > 0 && outcomes.some((o) => o.status === 'accepted')) for (const signal of this.signals) signal();
    if (this.listeners.size === 0) return;
    const stored: StoredEvent[] = [];
    outcomes.forEach((o, i) => {
      if (o.status === 'accepted') stored.push({ ...items[i], seq: o.seq, payload: JSON.parse(items[i].payload) });
    });
    for (const l of this.listeners) l(stored);
  }
}

/** An `events` row as Kysely selects it: the table type is the one definition of its shape. */
type EventRow = Selectable<EventsTable>;

/** The events.payload column, sealed with `cipher` (undefined: field encryption off). */
export const eventPayloads = (dialect: Dialect, cipher: FieldCipher | undefined) =>
  new SealedJson({ table: 'events', id: 'seq', value: 'payload', key: 'payload_key' }, dialect, cipher);

/**
 * `events` rows as StoredEvents, payloads opened (also for stages that read events back by offset
 * inside their transaction): the one way rows of the events table are read.
 */
export async function toStoredEvents(rows: EventRow[], payloads: SealedJson): Promise<StoredEvent[]> {
  const opened = await payloads.openAll(rows.map((r) => ({ value: r.payload, key: r.payload_key })));
  return rows.map((r, i) => toStoredEvent(r, opened[i] as Record<string, unknown>));
}

function toStoredEvent(r: EventRow, payload: Record<string, unknown>): StoredEvent {
  return {
    seq: r.seq,
    sourceId: r.source_id,
    messageId: r.message_id,
    type: r.type,
    event: r.event,
    userId: r.user_id,
    anonymousId: r.anonymous_id,
    ts: r.ts,
    receivedAt: r.received_at,
    payload,
  };
}
