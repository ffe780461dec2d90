// A delete reaches the platforms that hold the person: every audience a destination uploaded them to
// (destination_members) gets a removal through the destinations outbox — the same engine, retries and
// connectors (Meta custom audiences, Google Customer Match) as a segment exit. The request waits for
// each removal to settle, up to a limit, and records how each went.
import type { Db, Dialect } from '../../storage/index.js';
import type { Clock } from '../../shared/clock.js';
import { enqueue } from '../../destinations/index.js';
import type { Subject } from './subject.js';

export interface ForwardOptions {
  db: Db;
  dialect: Dialect;
  clock: Clock;
  /** Wakes the delivery engine. */
  poke: () => void;
  /** Longest wait for the platforms' answers (ms). */
  timeoutMs: number;
  pollMs?: number;
}

export type ForwardOutcome = { destinationId: string; status: string }[];

const SETTLED = new Set(['delivered', 'skipped', 'dead']);

export async function forwardRemovals(o: ForwardOptions, requestId: string, subject: Subject): Promise<ForwardOutcome> {
  if (subject.profileIds.length === 0) return [];
  const members = await o.db.selectFrom('destination_members').select(['destination_id', 'segment_id', 'profile_id']).where('profile_id', 'in', subject.profileIds).execute();
  if (members.length === 0) return [];
  const now = o.clock.now();
  const keyOf = (m: (typeof members)[number]) => `privacy:${requestId}:${m.segment_id}:${m.profile_id}`;
  await o.db.transaction().execute((trx) =>
    enqueue(
      trx,
      o.dialect,
      members.map((m) => ({ destinationId: m.destination_id, idempotencyKey: keyOf(m), orderKey: m.profile_id, op: 'remove' as const, segmentId: m.segment_id, payload: { privacyRequest: requestId }, at: now })),
    ),
  );
  o.poke();
  const keys = members.map(keyOf);
  const started = Date.now();
  for (;;) {
    const rows = await o.db.selectFrom('deliveries').select(['destination_id', 'status']).where('idempotency_key', 'in', keys).execute();
    if (rows.every((r) => SETTLED.has(r.status)) || Date.now() - started > o.timeoutMs) return rows.map((r) => ({ destinationId: r.destination_id, status: r.status }));
    await new Promise((r) => setTimeout(r, o.pollMs ?? 250));
  }
}
