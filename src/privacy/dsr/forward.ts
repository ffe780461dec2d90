// A delete reaches the platforms that hold the person: every audience a destination uploaded them to
// (destination_members) gets a removal through the destinations outbox — the same engine, retries and
// connectors (Meta custom audiences, Google Customer Match) as a segment exit. A webhook destination
// configured with `deletionNotices: true` gets a `meridian.deletion` event naming the person's userIds,
// anonymousIds and emails (signed like its other deliveries). The request waits for each to settle, up
// to a limit, and records how each went.
import type { Db, Dialect } from '../../storage/index.js';
import type { SealedJson } from '../../shared/encryption/sealed-json.js';
import type { Clock } from '../../shared/clock.js';
import { enqueue } from '../../destinations/index.js';
import type { Subject } from './subject.js';

export interface ForwardOptions {
  db: Db;
  dialect: Dialect;
  /** deliveries.payload (the destinations' deliveryPayloads). */
  outbox: SealedJson;
  clock: Clock;
  /** Wakes the delivery engine. */
  poke: () => void;
  /** Longest wait for the platforms' answers (ms). */
  timeoutMs: number;
  pollMs?: number;
}

export type ForwardOutcome = { destinationId: string; status: string }[];

const SETTLED = new Set(['delivered', 'skipped', 'dead']);

/** Webhook destinations that asked for deletion notices (config.deletionNotices), not paused. */
async function noticeDestinations(o: ForwardOptions): Promise<string[]> {
  const rows = await o.db.selectFrom('destinations').select(['id', 'config']).where('connector', '=', 'webhook').where('paused_at', 'is', null).execute();
  return rows.filter((r) => (o.dialect.parseJson(r.config) as { deletionNotices?: boolean }).deletionNotices === true).map((r) => r.id);
}

export async function forwardRemovals(o: ForwardOptions, requestId: string, subject: Subject, kind: 'delete' | 'suppress' = 'delete'): Promise<ForwardOutcome> {
  const members = subject.profileIds.length === 0 ? [] : await o.db.selectFrom('destination_members').select(['destination_id', 'segment_id', 'profile_id']).where('profile_id', 'in', subject.profileIds).execute();
  const hasIds = subject.userIds.length + subject.anonymousIds.length + subject.emails.length > 0;
  const notified = hasIds ? await noticeDestinations(o) : [];
  if (members.length === 0 && notified.length === 0) return [];
  const now = o.clock.now();
  const keyOf = (m: (typeof members)[number]) => `privacy:${requestId}:${m.segment_id}:${m.profile_id}`;
  const noticeKey = `privacy:${requestId}:deletion`;
  // The notice, as a webhook event: what the receiver needs to find the person, nothing more.
  const notice = { type: 'meridian.deletion', privacyRequest: requestId, kind, userIds: subject.userIds, anonymousIds: subject.anonymousIds, emails: subject.emails, at: new Date(now).toISOString() };
  await o.db.transaction().execute((trx) =>
    enqueue(trx, o.outbox, [
      ...members.map((m) => ({ destinationId: m.destination_id, idempotencyKey: keyOf(m), orderKey: m.profile_id, op: 'remove' as const, segmentId: m.segment_id, payload: { privacyRequest: requestId }, at: now })),
      // Not ordered behind the person's events (their deliveries are erased) nor checked against their consent.
      ...notified.map((destinationId) => ({ destinationId, idempotencyKey: noticeKey, orderKey: `privacy:${requestId}`, op: 'event' as const, payload: { body: notice }, at: now })),
    ]),
  );
  o.poke();
  const keys = [...members.map(keyOf), ...(notified.length > 0 ? [noticeKey] : [])];
  const started = Date.now();
  for (;;) {
    const rows = await o.db.selectFrom('deliveries').select(['destination_id', 'status']).where('idempotency_key', 'in', keys).execute();
    if (rows.every((r) => SETTLED.has(r.status)) || Date.now() - started > o.timeoutMs) {
      // A settled notice holds the person's identifiers: gone with them. One still pending stays to be
      // sent (the byte search then reports it as residue until a later delete's compaction).
      await o.db.deleteFrom('deliveries').where('idempotency_key', '=', noticeKey).where('status', 'in', ['delivered', 'skipped', 'dead']).execute();
      return rows.map((r) => ({ destinationId: r.destination_id, status: r.status }));
    }
    await new Promise((r) => setTimeout(r, o.pollMs ?? 250));
  }
}
