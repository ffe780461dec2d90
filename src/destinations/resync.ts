// Full resync of an audience destination: the segment's current members are compared with what the
// platform was sent (the destination's sent set), and the differences are enqueued as adds and
// removes in one transaction. Profiles with deliveries still pending are left to those deliveries.
import { sql } from 'kysely';
import type { Db, Dialect } from '../storage/index.js';
import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import { enqueue, type NewDelivery } from './outbox.js';
import type { ActiveDestination } from './store.js';

export interface MemberSource {
  /** Profile ids currently in the segment. */
  members(segmentId: string): Promise<string[]>;
}

/** The segments engine's `segment_memberships(segment_id, profile_id)` table. */
export function segmentMembershipsTable(db: Db): MemberSource {
  return {
    async members(segmentId) {
      try {
        const r = await sql<{ profile_id: string }>`SELECT profile_id FROM segment_memberships WHERE segment_id = ${segmentId}`.execute(db);
        return r.rows.map((x) => x.profile_id);
      } catch (err) {
        throw new AppError('segments_unavailable', 409, 'segment memberships cannot be read (is the segments engine installed?)', {
          cause: (err as Error).message,
        });
      }
    },
  };
}

/** The adds and removes that make the platform match the members. Pure. */
export function diffMembers(members: Set<string>, sent: Set<string>, pending: Set<string>) {
  const add = [...members].filter((p) => !sent.has(p) && !pending.has(p)).sort();
  const remove = [...sent].filter((p) => !members.has(p) && !pending.has(p)).sort();
  return { add, remove };
}

export async function resync(
  o: { db: Db; dialect: Dialect; clock: Clock; source: MemberSource },
  d: ActiveDestination,
): Promise<{ added: number; removed: number }> {
  if (d.kind !== 'audience') throw new AppError('not_an_audience', 400, 'only audience destinations can be resynced');
  const runId = o.clock.now();
  let added = 0;
  let removed = 0;
  for (const segmentId of Object.keys(d.segments)) {
    const members = new Set(await o.source.members(segmentId));
    await o.db.transaction().execute(async (trx) => {
      await o.dialect.lockName(trx, `resync:${d.id}`);
      const sent = await trx.selectFrom('destination_members').select('profile_id').where('destination_id', '=', d.id).where('segment_id', '=', segmentId).execute();
      const pending = await trx
        .selectFrom('deliveries')
        .select('order_key')
        .distinct()
        .where('destination_id', '=', d.id)
        .where('segment_id', '=', segmentId)
        .where('status', 'in', ['queued', 'inflight', 'retrying'])
        .execute();
      const diff = diffMembers(members, new Set(sent.map((r) => r.profile_id)), new Set(pending.map((r) => r.order_key)));
      const now = o.clock.now();
      const make = (op: 'add' | 'remove') => (profileId: string): NewDelivery => ({
        destinationId: d.id,
        idempotencyKey: `resync:${runId}:${segmentId}:${op}:${profileId}`,
        orderKey: profileId,
        op,
        segmentId,
        payload: { resync: runId },
        at: now,
      });
      await enqueue(trx, o.dialect, [...diff.add.map(make('add')), ...diff.remove.map(make('remove'))]);
      added += diff.add.length;
      removed += diff.remove.length;
    });
  }
  return { added, removed };
}
