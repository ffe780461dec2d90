// Event forwarding: a pipeline stage over the event log. For each event and each event destination
// whose filter it passes (names, types, property conditions, optionally segment membership) and
// whose consent category it does not deny, a delivery of the mapped event is enqueued in the stage's
// own transaction. It also records consent preferences carried by events, so audience sync can
// honour a profile's latest choice.
import type { Transaction } from 'kysely';
import { sql } from 'kysely';
import type { Database, Db, Dialect } from '../storage/index.js';
import { Stage, type EventLog, type StoredEvent } from '../log/index.js';
import { consentAllows, eventPreferences } from './consent.js';
import { applyMapping, matchesFilter } from './event-filter.js';
import { enqueue, type NewDelivery } from './outbox.js';
import type { DestinationStore } from './store.js';

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
  store: DestinationStore;
  /** Undefined when the segments engine's tables are absent: segment-filtered destinations then receive nothing. */
  membership?: SegmentMembership;
  afterCommit(): void;
  onError?(err: unknown): void;
}): Stage<StoredEvent> {
  return new Stage<StoredEvent>({
    name: EVENTS_STAGE,
    db: o.db,
    dialect: o.dialect,
    feed: o.log.asFeed(),
    onError: o.onError,
    afterCommit: o.afterCommit,
    async apply(trx, items) {
      const consent = items.flatMap(({ item }) => {
        const prefs = eventPreferences(item.payload);
        return prefs ? [{ seq: item.seq, preferences: JSON.stringify(prefs) }] : [];
      });
      for (let i = 0; i < consent.length; i += 1000)
        await trx.insertInto('consent_events').values(consent.slice(i, i + 1000)).onConflict((oc) => oc.column('seq').doNothing()).execute();

      const destinations = (await o.store.active(trx)).filter((d) => d.kind === 'events');
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
      await enqueue(trx, o.dialect, out);
    },
  });
}
