// Multi-request upload sessions (Meta Custom Audiences: `session: {session_id, batch_seq,
// last_batch_flag, estimated_num_total}`) and the ordering rules the engine follows for them.
//
// A session is written onto its delivery rows before the first request (session id, 1-based batch
// number, number of batches, total rows), so every later attempt of a batch — a retry, or a resend
// after a crash — carries the same session id and batch number. Rules (Meta's documentation):
//   1. A session's batches go out in batch order, one after the other: a batch waits while an
//      earlier batch of its session is still pending.
//   2. No adds/removes through /users on an audience while a usersreplace session runs on it:
//      changes queued after a replace session wait until it has finished.
//   3. A replace session starts only once every change queued before it for that audience is settled.
// When a replace session ends — its last batch delivered, or a batch dead (the platform then keeps
// what it received, as it does when a session times out) — the sent set becomes exactly the members
// the session delivered.
import { sql, type Transaction } from 'kysely';
import type { Database, Db } from '../storage/index.js';
import type { DeliveryRow } from './deliveries.js';
import type { DeliveryStatus } from './tables.js';

export interface UploadSession {
  /** A positive int64 (decimal text), unique per upload. */
  id: string;
  /** 1-based request number. */
  seq: number;
  /** Requests in the session; the one with seq = batches carries last_batch_flag. */
  batches: number;
  /** Rows in the whole session (estimated_num_total). */
  total: number;
}

const PENDING: DeliveryStatus[] = ['queued', 'inflight', 'retrying'];

let lastSessionId = 0;
/**
 * A new session id: milliseconds × 1000 + a random part, kept below 2^53 so that JSON carries it
 * exactly, and increasing within the process so two sessions never share one.
 */
export function newSessionId(now: number, random: () => number = Math.random): string {
  lastSessionId = Math.max(now * 1000 + Math.floor(random() * 1000), lastSessionId + 1);
  return String(lastSessionId);
}

export function sessionOf(r: DeliveryRow): UploadSession | undefined {
  if (r.session_id === null || r.session_id === undefined) return undefined;
  return { id: r.session_id, seq: Number(r.session_seq), batches: Number(r.session_batches), total: Number(r.session_total) };
}

/**
 * Splits one logical upload into the platform's batches and records the session on the rows (one
 * attempt group, so a crash re-claims the whole session together). Returns the batches in order.
 */
export async function startSession<T extends { row: DeliveryRow }>(db: Db, items: T[], maxBatch: number, id: string): Promise<{ session: UploadSession; items: T[] }[]> {
  const batches = Array.from({ length: Math.ceil(items.length / maxBatch) }, (_, i) => items.slice(i * maxBatch, (i + 1) * maxBatch));
  const out = batches.map((part, i) => ({ session: { id, seq: i + 1, batches: batches.length, total: items.length }, items: part }));
  await db.transaction().execute(async (trx) => {
    for (const { session, items: part } of out) {
      const ids = part.map((p) => p.row.id);
      for (let i = 0; i < ids.length; i += 5_000)
        await trx
          .updateTable('deliveries')
          .set({ session_id: id, session_seq: session.seq, session_batches: session.batches, session_total: session.total, attempt_group: `ses:${id}` })
          .where('id', 'in', ids.slice(i, i + 5_000))
          .execute();
    }
  });
  return out;
}

/** The claimed rows that must not be sent in this round (rules 1–3 above). */
export async function heldRows(db: Db, destinationId: string, rows: DeliveryRow[]): Promise<Set<number>> {
  const held = new Set<number>();

  // Rule 2: changes queued after a pending replace session of their audience wait for it.
  const changes = rows.filter((r) => (r.op === 'add' || r.op === 'remove') && r.segment_id !== null);
  if (changes.length > 0) {
    const firsts = await db
      .selectFrom('deliveries')
      .select(['segment_id', (eb) => eb.fn.min('id').as('first')])
      .where('destination_id', '=', destinationId)
      .where('op', '=', 'replace')
      .where('status', 'in', PENDING)
      .where('segment_id', 'in', [...new Set(changes.map((r) => r.segment_id!))])
      .groupBy('segment_id')
      .execute();
    const first = new Map(firsts.map((f) => [f.segment_id, Number(f.first)]));
    for (const r of changes) {
      const f = first.get(r.segment_id);
      if (f !== undefined && Number(r.id) > f) held.add(r.id);
    }
  }

  const bySession = new Map<string, DeliveryRow[]>();
  for (const r of rows)
    if (r.session_id) {
      const list = bySession.get(r.session_id);
      if (list) list.push(r);
      else bySession.set(r.session_id, [r]);
    }
  for (const [id, own] of bySession) {
    // Rule 1: the earliest batch with rows pending outside this round blocks itself and every later one.
    const maxSeq = Math.max(...own.map((r) => Number(r.session_seq)));
    const inRound = new Map<number, number>();
    for (const r of own) inRound.set(Number(r.session_seq), (inRound.get(Number(r.session_seq)) ?? 0) + 1);
    const pending = await db
      .selectFrom('deliveries')
      .select(['session_seq', (eb) => eb.fn.countAll().as('n')])
      .where('destination_id', '=', destinationId)
      .where('session_id', '=', id)
      .where('status', 'in', PENDING)
      .where('session_seq', '<=', maxSeq)
      .groupBy('session_seq')
      .execute();
    let blocker = Infinity;
    for (const p of pending) if (Number(p.n) > (inRound.get(Number(p.session_seq)) ?? 0)) blocker = Math.min(blocker, Number(p.session_seq));
    // A batch held in part would be split: a session with a row held by rule 2 waits as a whole.
    let holdAll = own.some((r) => held.has(r.id));
    // Rule 3: a replace session waits for the changes queued before it for the same audience.
    if (!holdAll && own[0].op === 'replace') {
      const older = await sql<{ id: number }>`
        SELECT d.id FROM deliveries d
        WHERE d.destination_id = ${destinationId} AND d.segment_id = ${own[0].segment_id} AND d.op IN ('add', 'remove')
          AND d.status IN ('queued', 'inflight', 'retrying')
          AND d.id < (SELECT MIN(s.id) FROM deliveries s WHERE s.destination_id = ${destinationId} AND s.session_id = ${id})
        LIMIT 1`.execute(db);
      holdAll = older.rows.length > 0;
    }
    for (const r of own) if (holdAll || Number(r.session_seq) >= blocker) held.add(r.id);
  }
  return held;
}

/**
 * Called in the transaction that records a round's outcomes, for the replace sessions it touched. A
 * session with a dead batch is abandoned (its pending batches become dead letters: the platform ends
 * the session with what it received); a finished or abandoned session that delivered anything makes
 * the sent set exactly the members it delivered.
 */
export async function settleReplaceSessions(trx: Transaction<Database>, destinationId: string, sessions: { id: string; segmentId: string }[], now: number): Promise<void> {
  for (const s of sessions) {
    const counts = await trx
      .selectFrom('deliveries')
      .select(['status', (eb) => eb.fn.countAll().as('n')])
      .where('destination_id', '=', destinationId)
      .where('session_id', '=', s.id)
      .groupBy('status')
      .execute();
    const n = (st: DeliveryStatus[]) => counts.filter((c) => st.includes(c.status)).reduce((a, c) => a + Number(c.n), 0);
    const pending = n(PENDING);
    const dead = n(['dead']);
    if (pending > 0 && dead === 0) continue;
    if (dead > 0 && pending > 0)
      await trx
        .updateTable('deliveries')
        .set({ status: 'dead', attempt_group: null, updated_at: now, next_attempt_at: now, last_error: `replace session ${s.id} abandoned: an earlier batch failed; the audience keeps the members uploaded before it` })
        .where('destination_id', '=', destinationId)
        .where('session_id', '=', s.id)
        .where('status', 'in', PENDING)
        .execute();
    if (n(['delivered']) === 0) continue; // the first batch never got through: the platform kept its audience
    await trx
      .deleteFrom('destination_members')
      .where('destination_id', '=', destinationId)
      .where('segment_id', '=', s.segmentId)
      .where('profile_id', 'not in', (eb) =>
        eb.selectFrom('deliveries').select('order_key').where('destination_id', '=', destinationId).where('session_id', '=', s.id).where('status', '=', 'delivered'),
      )
      .execute();
  }
}
