// Access requests (GDPR art. 15, PDPA art. 10): everything Meridian holds about a person, as one JSON
// document — profile and traits, identifiers, every event as received, consent and its history,
// segments, the messages and audience uploads sent about them.
import { sql } from 'kysely';
import type { Db, Dialect } from '../../storage/index.js';
import type { ProfileReader } from '../../profiles/index.js';
import { splitKey } from '../../identity/index.js';
import type { ConsentStore } from '../consent/index.js';
import type { Subject } from './subject.js';
import { toStoredEvents, type EventLog } from '../../log/index.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

export async function buildExport(o: { db: Db; dialect: Dialect; log: EventLog; profiles: ProfileReader; consent: ConsentStore; now: number }, subject: Subject): Promise<Record<string, unknown>> {
  const { db, dialect } = o;
  const profiles = [];
  for (const id of subject.profileIds) {
    const history = [];
    for (let cursor: string | undefined, page; (page = await o.consent.history(id, 500, cursor)); cursor = page.next ?? undefined) {
      history.push(...page.data);
      if (!page.next) break;
    }
    profiles.push({ profile: await o.profiles.get(id), consent: await o.consent.state(id), consentHistory: history });
  }
  const events = [];
  for (let i = 0; i < subject.seqs.length; i += 500) {
    const rows = await db.selectFrom('events').selectAll().where('seq', 'in', subject.seqs.slice(i, i + 500)).orderBy('seq').execute();
    for (const e of await toStoredEvents(rows, o.log.payloads)) events.push({ seq: e.seq, sourceId: e.sourceId, type: e.type, event: e.event, receivedAt: iso(e.receivedAt), payload: e.payload });
  }
  const orderKeys = [...subject.profileIds, ...subject.userIds, ...subject.anonymousIds];
  const deliveries =
    orderKeys.length === 0
      ? []
      : (
          await sql<{ destination_id: string; op: string; status: string; created_at: number; delivered_at: number | null }>`SELECT destination_id, op, status, created_at, delivered_at FROM deliveries WHERE order_key IN (${sql.join(orderKeys)}) ORDER BY id`.execute(db)
        ).rows.map((r) => ({ destinationId: r.destination_id, op: r.op, status: r.status, createdAt: iso(r.created_at), deliveredAt: iso(r.delivered_at) }));
  const audiences =
    subject.profileIds.length === 0
      ? []
      : (await db.selectFrom('destination_members').select(['destination_id', 'segment_id', 'sent_at']).where('profile_id', 'in', subject.profileIds).execute()).map((r) => ({
          destinationId: r.destination_id,
          segmentId: r.segment_id,
          sentAt: iso(r.sent_at),
        }));
  return {
    generatedAt: iso(o.now),
    identifiers: subject.keys.map(splitKey),
    profiles,
    events,
    deliveries,
    audiences,
  };
}
