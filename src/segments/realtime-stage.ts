// The real-time path: a pipeline stage over the profile_changes feed. Each batch re-decides the
// segments of the profiles it touches, in the stage transaction (so the feed position, the members
// and the membership_changes rows commit together: each change exactly once).
import type { Transaction } from 'kysely';
import type { Database, Db, Dialect } from '../storage/index.js';
import type { Clock } from '../shared/clock.js';
import { Stage, type Feed, type StageOptions } from '../log/index.js';
import type { ProfileChangesTable } from '../storage/schema.js';
import { reevaluateProfiles } from './reevaluate.js';
import { loadCatalog } from './store.js';

/** The stage's name in `stage_offsets` (its position is a `profile_changes.change_seq`). */
export const SEGMENTS_STAGE = 'segments';

export type ProfileChange = Omit<ProfileChangesTable, 'change_seq'> & { change_seq: number };

export function profileChangesFeed(db: Db): Feed<ProfileChange> {
  return {
    readAfter: async (position, limit) => {
      const rows = await db.selectFrom('profile_changes').selectAll().where('change_seq', '>', position).orderBy('change_seq').limit(limit).execute();
      return rows.map((r) => ({ position: Number(r.change_seq), item: { ...r, change_seq: Number(r.change_seq) } }));
    },
    head: async () => Number((await db.selectFrom('profile_changes').select((eb) => eb.fn.max('change_seq').as('n')).executeTakeFirst())?.n ?? 0),
  };
}

export async function applyProfileChanges(trx: Transaction<Database>, dialect: Dialect, changes: ProfileChange[], now: number) {
  const todo = new Map<string, number | null>();
  const touch = (id: string, seq: number | null) => todo.set(id, seq ?? todo.get(id) ?? null);
  for (const c of changes) {
    const seq = c.event_seq === null ? null : Number(c.event_seq);
    switch (c.kind) {
      case 'event':
      case 'traits':
        touch(c.profile_id, seq);
        break;
      case 'merged':
        // The merged-away profile keeps nothing of its own: its manual tags follow the person.
        if (c.other_profile_id) {
          await moveTags(trx, c.other_profile_id, c.profile_id, now);
          await trx.deleteFrom('rfm_scores').where('profile_id', '=', c.other_profile_id).execute();
          await trx.deleteFrom('prediction_scores').where('profile_id', '=', c.other_profile_id).execute();
          touch(c.other_profile_id, seq);
        }
        touch(c.profile_id, seq);
        break;
      case 'unmerged':
        touch(c.profile_id, seq);
        if (c.other_profile_id) touch(c.other_profile_id, seq);
        break;
      case 'deleted':
        // An identity rebuild deletes and recreates profiles under the same ids: keep their tags then.
        if (!(await trx.selectFrom('profiles').select('id').where('id', '=', c.profile_id).executeTakeFirst())) {
          await trx.deleteFrom('profile_tags').where('profile_id', '=', c.profile_id).execute();
          await trx.deleteFrom('rfm_scores').where('profile_id', '=', c.profile_id).execute();
          await trx.deleteFrom('prediction_scores').where('profile_id', '=', c.profile_id).execute();
        }
        touch(c.profile_id, seq);
        break;
    }
  }
  if (todo.size === 0) return;
  const catalog = await loadCatalog(trx, dialect);
  await reevaluateProfiles(trx, dialect, catalog, [...todo].map(([id, triggerSeq]) => ({ id, triggerSeq })), now);
}

async function moveTags(trx: Transaction<Database>, from: string, to: string, now: number) {
  const tags = await trx.selectFrom('profile_tags').select('tag').where('profile_id', '=', from).execute();
  if (tags.length > 0)
    await trx
      .insertInto('profile_tags')
      .values(tags.map((t) => ({ tag: t.tag, profile_id: to, created_at: now })))
      .onConflict((oc) => oc.columns(['tag', 'profile_id']).doNothing())
      .execute();
  await trx.deleteFrom('profile_tags').where('profile_id', '=', from).execute();
}

export function segmentsStage(deps: { db: Db; dialect: Dialect; clock: Clock; onError?: StageOptions<ProfileChange>['onError']; pollMs?: number }) {
  return new Stage<ProfileChange>({
    name: SEGMENTS_STAGE,
    db: deps.db,
    dialect: deps.dialect,
    feed: profileChangesFeed(deps.db),
    // The identity stage wakes this one on commit (see main.ts); the poll covers other processes.
    pollMs: deps.pollMs,
    apply: (trx, items) => applyProfileChanges(trx, deps.dialect, items.map((i) => i.item), deps.clock.now()),
    itemKey: (c) => c.profile_id,
    onError: deps.onError,
  });
}
