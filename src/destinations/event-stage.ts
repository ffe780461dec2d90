// Event forwarding: a pipeline stage over the event log. For each event and each event destination
// whose filter it passes (names, types, property conditions, optionally segment membership) and
// whose consent category it does not deny, a delivery of the mapped event is enqueued in the stage's
// own transaction. It also records consent preferences carried by events, so audience sync can
// honour a profile's latest choice, and the app push device tokens they carry (push-tokens.ts).
//
// While any event destination filters by segment, the stage does not pass the segment barrier
// (segment-barrier.ts): an event is judged only once segmentation has taken it into account. Without
// such destinations it follows the log alone, so forwarding never waits on identity or segments.
import type { Transaction } from 'kysely';
import { sql } from 'kysely';
import type { Database, Db, Dialect } from '../storage/index.js';
import type { SealedJson } from '../shared/encryption/sealed-json.js';
import { Stage, type EventLog, type Feed, type StageOptions, type StoredEvent } from '../log/index.js';
import { consentAllows, eventPreferences } from '../privacy/consent/index.js';
import { applyMapping, matchesFilter } from './event-filter.js';
import { enqueue, type NewDelivery } from './outbox.js';
import { eventPushTokens, PushTokens } from './push-tokens.js';
import { segmentBarrier } from './segment-barrier.js';
import type { ActiveDestination, DestinationStore } from './store.js';

export const EVENTS_STAGE = 'destinations:events';

export interface SegmentMembership {
  /** Which of these events belong to a profile that is currently in the segment. */
  membersAmong(trx: Transaction<Database>, segmentId: string, seqs: number[]): Promise<Set<number>>;
}

/** Membership read from the segments engine's `segment_memberships` table through the timeline. */
export const segmentMembershipTable: SegmentMembership = {
  async membersAmong(trx, segmentId, seqs) {
    if (seqs.length === 0) return new Set();
    const rows = await sql<{ seq: number }>`SELECT pe.seq FROM profile_events pe
      JOIN segment_memberships sm ON sm.profile_id = pe.profile_id AND sm.segment_id = ${segmentId}
      WHERE pe.seq IN (${sql.join(seqs)})`.execute(trx);
    return new Set(rows.rows.map((r) => Number(r.seq)));
  },
};

export function eventForwardingStage(o: {
  db: Db;
  dialect: Dialect;
  log: EventLog;
  /** deliveries.payload (outbox.ts deliveryPayloads). */
  outbox: SealedJson;
  store: DestinationStore;
  /** Undefined when the segments engine's tables are absent: segment-filtered destinations then receive nothing. */
  membership?: SegmentMembership;
  afterCommit(): void;
  onError?: StageOptions<StoredEvent>['onError'];
}): Stage<StoredEvent> {
  const eventDestinations = (list: ActiveDestination[]) => list.filter((d) => d.kind === 'events');
  // Without the segments engine a segment filter matches nobody, so there is nothing to wait for.
  const needsBarrier = (list: ActiveDestination[]) => o.membership !== undefined && list.some((d) => d.filter.segmentId);
  const log = o.log.asFeed();
  const feed: Feed<StoredEvent> = {
    onAppend: log.onAppend,
    head: log.head,
    // Reads nothing past the barrier, so a stage that waits for segmentation opens no transaction.
    async readAfter(position, limit) {
      if (!needsBarrier(eventDestinations(await o.store.active()))) return log.readAfter(position, limit);
      const barrier = await segmentBarrier(o.db);
      if (barrier <= position) return [];
      return (await log.readAfter(position, Math.min(limit, barrier - position))).filter((i) => i.position <= barrier);
    },
  };
  return new Stage<StoredEvent>({
    name: EVENTS_STAGE,
    db: o.db,
    dialect: o.dialect,
    feed,
    itemKey: (e) => e.userId ?? e.anonymousId ?? null,
    onError: o.onError,
    afterCommit: o.afterCommit,
    async apply(trx, batch) {
      const destinations = eventDestinations(await o.store.active(trx));
      // Checked again under the stage lock, with the destinations this batch is matched against: one
      // may have gained a segment filter since the read, or an identity rebuild moved the barrier back.
      const barrier = needsBarrier(destinations) ? await segmentBarrier(trx) : Infinity;
      const items = batch.filter((i) => i.position <= barrier);
      const consent = items.flatMap(({ item }) => {
        const prefs = eventPreferences(item.payload);
        return prefs ? [{ seq: item.seq, preferences: JSON.stringify(prefs) }] : [];
      });
      for (let i = 0; i < consent.length; i += 1000)
        await trx.insertInto('consent_events').values(consent.slice(i, i + 1000)).onConflict((oc) => oc.column('seq').doNothing()).execute();
      await PushTokens.record(trx, items.flatMap(({ item }) => eventPushTokens(item.seq, item.payload, item.receivedAt)));

      const out: NewDelivery[] = [];
      for (const d of destinations) {
        const candidates = items.filter(({ item }) => matchesFilter(d.filter, item.payload) && consentAllows(eventPreferences(item.payload), d.category));
        let members: Set<number> | undefined;
        if (d.filter.segmentId)
          members = o.membership ? await o.membership.membersAmong(trx, d.filter.segmentId, candidates.map((c) => c.item.seq)) : new Set();
        for (const { item } of candidates) {
          if (members && !members.has(item.seq)) continue;
          out.push({
            destinationId: d.id,
            idempotencyKey: `event:${item.seq}`,
            orderKey: item.userId ?? item.anonymousId ?? `event:${item.seq}`,
            op: 'event',
            payload: { seq: item.seq, body: applyMapping(d.mapping, item.payload) },
            at: item.receivedAt,
          });
        }
      }
      await enqueue(trx, o.outbox, out);
      return items.length < batch.length ? barrier : undefined;
    },
  });
}
