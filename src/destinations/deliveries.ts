// The outbox table seen from the engine (claim due work in per-profile order, record outcomes) and
// from the API (list, dead letters, replay, stats).
import { sql, type ExpressionBuilder } from 'kysely';
import type { Database } from '../storage/index.js';
import type { SealedJson } from '../shared/encryption/sealed-json.js';
import type { Db, Dialect } from '../storage/index.js';
import { AppError } from '../shared/errors.js';
import { decodeCursor, encodeCursor, type Page } from '../shared/paging.js';
import type { DeadLetterFilter, Delivery, DeliveryQuery } from './schema.js';
import type { DeliveriesTable, DeliveryStatus } from './tables.js';

export type DeliveryRow = Omit<DeliveriesTable, 'id' | 'attempts'> & { id: number; attempts: number };

const PENDING: DeliveryStatus[] = ['queued', 'inflight', 'retrying'];

/** The dead letters of a destination a filter selects (replay and delete share it). */
function deadLetters(eb: ExpressionBuilder<Database, 'deliveries'>, destinationId: string, filter: DeadLetterFilter) {
  return eb.and([
    eb('destination_id', '=', destinationId),
    eb('status', '=', 'dead'),
    ...(filter.ids ? [eb('id', 'in', filter.ids)] : []),
    ...(filter.op ? [eb('op', '=', filter.op as DeliveriesTable['op'])] : []),
    ...(filter.segmentId ? [eb('segment_id', '=', filter.segmentId)] : []),
    ...(filter.lastStatus !== undefined ? [eb('last_status', '=', filter.lastStatus)] : []),
  ]);
}

/** How many pending rows are looked at per claim; profiles beyond it wait for the next round. */
const CLAIM_WINDOW = 20_000;

export class DeliveryStore {
  constructor(
    private readonly db: Db,
    private readonly dialect: Dialect,
    /** deliveries.payload (outbox.ts deliveryPayloads): sealed at rest with a KEK. */
    private readonly outbox: SealedJson,
  ) {}

  /** Rows as read, their payloads opened: JSON text in clear (what the engine and the API parse), whatever the store holds. */
  private async opened(rows: DeliveryRow[]): Promise<DeliveryRow[]> {
    if (rows.every((r) => r.payload_key === null)) return rows;
    const payloads = await this.outbox.openAll(rows.map((r) => ({ value: r.payload, key: r.payload_key })));
    return rows.map((r, i) => ({ ...r, payload: JSON.stringify(payloads[i]), payload_key: null }));
  }

  /**
   * Claims up to `limit` due deliveries of a destination, at most one per order key and only the
   * oldest pending one of each key, so a profile's deliveries go out one after another in order.
   * Deliveries that were attempted together are claimed together or not at all, so a retried
   * request carries the same items (and the same retry key). Claimed rows are `inflight` with a
   * lease: if this process dies they become due again.
   */
  async claim(destinationId: string, limit: number, now: number, leaseMs: number): Promise<DeliveryRow[]> {
    return this.db.transaction().execute(async (trx) => {
      await this.dialect.lockName(trx, `deliveries:${destinationId}`);
      const pending = await trx
        .selectFrom('deliveries')
        .select(['id', 'order_key', 'next_attempt_at', 'attempt_group'])
        .where('destination_id', '=', destinationId)
        .where('status', 'in', PENDING)
        .orderBy('id')
        .limit(Math.max(CLAIM_WINDOW, limit))
        .execute();
      const groupSize = new Map<string, number>();
      for (const r of pending) if (r.attempt_group) groupSize.set(r.attempt_group, (groupSize.get(r.attempt_group) ?? 0) + 1);
      const seen = new Set<string>();
      const due: { id: number; group: string | null }[] = [];
      for (const r of pending) {
        if (seen.has(r.order_key)) continue;
        seen.add(r.order_key);
        if (Number(r.next_attempt_at) <= now) due.push({ id: Number(r.id), group: r.attempt_group });
      }
      const dueInGroup = new Map<string, number>();
      for (const r of due) if (r.group) dueInGroup.set(r.group, (dueInGroup.get(r.group) ?? 0) + 1);
      const ids: number[] = [];
      const taken = new Map<string, number>();
      for (const r of due) {
        if (r.group) {
          const size = groupSize.get(r.group)!;
          if (dueInGroup.get(r.group) !== size) continue; // part of the group is not due (or blocked): wait for all of it
          if (!taken.has(r.group)) {
            if (ids.length + size > limit) continue;
            taken.set(r.group, size);
          }
        } else if (ids.length >= limit) continue;
        ids.push(r.id);
      }
      if (ids.length === 0) return [];
      const rows: DeliveryRow[] = [];
      for (let i = 0; i < ids.length; i += 5_000) {
        const chunk = ids.slice(i, i + 5_000);
        await trx
          .updateTable('deliveries')
          .set({ status: 'inflight', attempts: sql`attempts + 1`, next_attempt_at: now + leaseMs, updated_at: now })
          .where('id', 'in', chunk)
          .execute();
        rows.push(...(await this.opened((await trx.selectFrom('deliveries').selectAll().where('id', 'in', chunk).orderBy('id').execute()) as DeliveryRow[])));
      }
      return rows;
    });
  }

  /** After a crash of the only process (embedded store): in-flight leases are void, deliver again now. */
  async releaseLeases(now: number): Promise<void> {
    await this.db.updateTable('deliveries').set({ next_attempt_at: now }).where('status', '=', 'inflight').execute();
  }

  /** The soonest time a pending delivery of the destination becomes due (for the scheduler's sleep). */
  async nextDue(destinationId: string): Promise<number | undefined> {
    const row = await this.db
      .selectFrom('deliveries')
      .select((eb) => eb.fn.min('next_attempt_at').as('at'))
      .where('destination_id', '=', destinationId)
      .where('status', 'in', PENDING)
      .executeTakeFirst();
    return row?.at === null || row?.at === undefined ? undefined : Number(row.at);
  }

  async list(destinationId: string, q: DeliveryQuery): Promise<Page<Delivery>> {
    const after = decodeCursor(q.cursor, (v): v is number => Number.isSafeInteger(v));
    let query = this.db.selectFrom('deliveries').selectAll().where('destination_id', '=', destinationId);
    if (q.status) query = query.where('status', '=', q.status as DeliveryStatus);
    if (after !== undefined) query = query.where('id', '>', after);
    const rows = (await query.orderBy('id').limit(q.limit + 1).execute()) as DeliveryRow[];
    const page = await this.opened(rows.slice(0, q.limit));
    return { data: page.map((r) => this.view(r)), next: rows.length > q.limit ? encodeCursor(page[page.length - 1].id) : null };
  }

  /**
   * Puts dead letters back in the queue (fresh attempt budget, due now); returns how many. A replayed
   * row is a new upload: it leaves its upload session, and a member of a failed replace session is
   * added to the audience (the platform's advice after a failed or timed-out replace).
   */
  async replay(destinationId: string, filter: DeadLetterFilter, now: number): Promise<number> {
    const q = this.db
      .updateTable('deliveries')
      .set({
        status: 'queued', attempts: 0, next_attempt_at: now, created_at: now, updated_at: now, last_error: null, attempt_group: null,
        op: sql`CASE WHEN op = 'replace' THEN 'add' ELSE op END`,
        session_id: null, session_seq: null, session_batches: null, session_total: null,
      })
      .where((eb) => deadLetters(eb, destinationId, filter));
    const n = Number((await q.executeTakeFirst()).numUpdatedRows);
    if (filter.ids && n === 0) throw new AppError('dead_letter_not_found', 404, 'none of these ids is a dead letter of this destination');
    return n;
  }

  /** Deletes dead letters (by ids, by filter, or all); returns how many. */
  async deleteDead(destinationId: string, filter: DeadLetterFilter): Promise<number> {
    const n = Number((await this.db.deleteFrom('deliveries').where((eb) => deadLetters(eb, destinationId, filter)).executeTakeFirst()).numDeletedRows);
    if (filter.ids && n === 0) throw new AppError('dead_letter_not_found', 404, 'none of these ids is a dead letter of this destination');
    return n;
  }

  /**
   * Retention: deletes the destination's delivered and skipped rows settled before `before`, in
   * batches of `batch` rows, each its own short statement (the write lock is never held long), and
   * yields between batches. Dead letters are kept. Returns how many rows were deleted.
   */
  async purgeFinished(destinationId: string, before: number, batch = 1_000): Promise<number> {
    let total = 0;
    for (;;) {
      const ids = await this.db
        .selectFrom('deliveries')
        .select('id')
        .where('destination_id', '=', destinationId)
        .where('status', 'in', ['delivered', 'skipped'])
        .where('delivered_at', '<', before)
        .limit(batch)
        .execute();
      if (ids.length === 0) return total;
      const r = await this.db.deleteFrom('deliveries').where('id', 'in', ids.map((x) => Number(x.id))).where('status', 'in', ['delivered', 'skipped']).executeTakeFirst();
      total += Number(r.numDeletedRows);
      if (ids.length < batch) return total;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  async counts(destinationId: string): Promise<Record<DeliveryStatus, number>> {
    const rows = await this.db
      .selectFrom('deliveries')
      .select(['status', (eb) => eb.fn.countAll().as('n')])
      .where('destination_id', '=', destinationId)
      .groupBy('status')
      .execute();
    const out: Record<DeliveryStatus, number> = { queued: 0, inflight: 0, retrying: 0, delivered: 0, skipped: 0, dead: 0 };
    for (const r of rows) out[r.status] = Number(r.n);
    return out;
  }

  /** Change → delivered latency percentiles over the most recent deliveries. */
  async latency(destinationId: string, sample = 1_000): Promise<{ p50: number | null; p99: number | null }> {
    const rows = await this.db
      .selectFrom('deliveries')
      .select(['created_at', 'delivered_at'])
      .where('destination_id', '=', destinationId)
      .where('status', '=', 'delivered')
      .orderBy('id', 'desc')
      .limit(sample)
      .execute();
    const ms = rows.map((r) => Number(r.delivered_at) - Number(r.created_at)).sort((a, b) => a - b);
    const pct = (p: number) => (ms.length ? ms[Math.min(ms.length - 1, Math.ceil(p * ms.length) - 1)] : null);
    return { p50: pct(0.5), p99: pct(0.99) };
  }

  private view(r: DeliveryRow): Delivery {
    const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());
    return {
      id: Number(r.id),
      destinationId: r.destination_id,
      idempotencyKey: r.idempotency_key,
      orderKey: r.order_key,
      op: r.op,
      segmentId: r.segment_id,
      status: r.status,
      attempts: Number(r.attempts),
      nextAttemptAt: iso(r.next_attempt_at)!,
      createdAt: iso(r.created_at)!,
      deliveredAt: iso(r.delivered_at),
      lastStatus: r.last_status === null ? null : Number(r.last_status),
      lastError: r.last_error,
      lastResponse: r.last_response,
      payload: this.dialect.parseJson(r.payload),
    };
  }
}
