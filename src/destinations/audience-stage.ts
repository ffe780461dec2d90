// Audience sync: a pipeline stage over the `membership_changes` feed written by the segments engine.
// Each entered/exited of a segment a destination syncs becomes an add/remove delivery for that
// profile, enqueued in the stage's own transaction; the engine batches them per platform.
import { Stage, type Feed, type StageOptions } from '../log/index.js';
import type { Db, Dialect } from '../storage/index.js';
import type { SealedJson } from '../shared/encryption/sealed-json.js';
import type { MembershipChangesTable } from '../storage/schema.js';
import { enqueue, type NewDelivery } from './outbox.js';
import type { DestinationStore } from './store.js';

export const AUDIENCE_STAGE = 'destinations:audiences';

export type MembershipChange = Omit<MembershipChangesTable, 'change_seq'> & { change_seq: number };

export function membershipFeed(db: Db): Feed<MembershipChange> {
  return {
    async readAfter(position, limit) {
      const rows = await db.selectFrom('membership_changes').selectAll().where('change_seq', '>', position).orderBy('change_seq').limit(limit).execute();
      return rows.map((r) => ({ position: Number(r.change_seq), item: { ...r, change_seq: Number(r.change_seq) } }));
    },
    head: async () => Number((await db.selectFrom('membership_changes').select((eb) => eb.fn.max('change_seq').as('n')).executeTakeFirst())?.n ?? 0),
  };
}

export function audienceSyncStage(o: { db: Db; dialect: Dialect; outbox: SealedJson; store: DestinationStore; afterCommit(): void; onError?: StageOptions<MembershipChange>['onError']; pollMs?: number }) {
  return new Stage<MembershipChange>({
    name: AUDIENCE_STAGE,
    db: o.db,
    dialect: o.dialect,
    feed: membershipFeed(o.db),
    pollMs: o.pollMs,
    batchSize: 2_000,
    itemKey: (c) => c.profile_id,
    onError: o.onError,
    afterCommit: o.afterCommit,
    async apply(trx, items) {
      const destinations = (await o.store.active(trx)).filter((d) => d.kind === 'audience');
      const out: NewDelivery[] = [];
      for (const { item } of items)
        for (const d of destinations) {
          if (!d.segments[item.segment_id]) continue;
          out.push({
            destinationId: d.id,
            idempotencyKey: `membership:${item.change_seq}`,
            orderKey: item.profile_id,
            op: item.kind === 'entered' ? 'add' : 'remove',
            segmentId: item.segment_id,
            payload: { changeSeq: item.change_seq, triggerSeq: item.trigger_seq },
            at: Number(item.at),
          });
        }
      await enqueue(trx, o.outbox, out);
    },
  });
}
