// The real-time path's core: re-decides every segment for a few profiles from their current state
// (no scan of other profiles), writes the enter/exit changes with the membership change in the
// caller's transaction, and re-arms the profile's timer for its next time-based change.
import type { Transaction } from 'kysely';
import type { Database, Dialect } from '../storage/index.js';
import type { Catalog } from './catalog.js';
import { evaluate } from './evaluate.js';
import { nextChange } from './next-change.js';
import { loadProfileStates } from './load-state.js';
import { insertRows } from '../storage/bulk.js';

type Trx = Transaction<Database>;

export const MEMBERSHIP_FEED_LOCK = 'feed:membership_changes';
const CHUNK = 500; // profiles loaded per round of queries

export async function reevaluateProfiles(
  trx: Trx,
  dialect: Dialect,
  catalog: Catalog,
  profiles: { id: string; triggerSeq: number | null }[],
  now: number,
): Promise<void> {
  await dialect.lockName(trx, MEMBERSHIP_FEED_LOCK);
  profiles = [...new Map(profiles.map((p) => [p.id, p])).values()];
  for (let i = 0; i < profiles.length; i += CHUNK) {
    const chunk = profiles.slice(i, i + CHUNK);
    const ids = chunk.map((p) => p.id);
    const states = await loadProfileStates(trx, dialect, ids, catalog.eventNames);
    const current = new Map<string, Set<string>>(ids.map((id) => [id, new Set()]));
    for (const m of await trx.selectFrom('segment_memberships').select(['profile_id', 'segment_id']).where('profile_id', 'in', ids).execute())
      current.get(m.profile_id)!.add(m.segment_id);
    // The chunk's timers in two statements (one DELETE, one multi-row upsert) rather than one per profile.
    const disarm: string[] = [];
    const arm: { profile_id: string; due_at: number }[] = [];
    for (const { id, triggerSeq } of chunk) {
      const state = states.get(id);
      let next: number | null = null;
      if (state)
        for (const segment of catalog.ordered) {
          if (evaluate(segment.rule.root, state, now, catalog)) state.memberships.add(segment.id);
          const t = nextChange(segment.rule.root, state.events, now);
          if (t !== null && (next === null || t < next)) next = t;
        }
      const was = current.get(id)!;
      const entered = [...(state?.memberships ?? [])].filter((s) => !was.has(s));
      const exited = [...was].filter((s) => !state?.memberships.has(s));
      await writeChanges(trx, id, entered, exited, now, triggerSeq);
      if (next === null) disarm.push(id);
      else arm.push({ profile_id: id, due_at: next });
    }
    if (disarm.length > 0) await trx.deleteFrom('segment_timers').where('profile_id', 'in', disarm).execute();
    await insertRows(trx, dialect, 'segment_timers', ['profile_id', 'due_at'], arm, 'ON CONFLICT (profile_id) DO UPDATE SET due_at = excluded.due_at');
  }
}

/** Current members and the feed, in one transaction: the feed holds each change exactly once. */
export async function writeChanges(trx: Trx, profileId: string, entered: string[], exited: string[], at: number, triggerSeq: number | null) {
  if (entered.length > 0) {
    await trx
      .insertInto('segment_memberships')
      .values(entered.map((segment_id) => ({ segment_id, profile_id: profileId, entered_at: at, trigger_seq: triggerSeq })))
      .execute();
  }
  if (exited.length > 0) {
    await trx.deleteFrom('segment_memberships').where('profile_id', '=', profileId).where('segment_id', 'in', exited).execute();
  }
  const changes = [
    ...entered.map((segment_id) => ({ segment_id, profile_id: profileId, kind: 'entered' as const, at, trigger_seq: triggerSeq })),
    ...exited.map((segment_id) => ({ segment_id, profile_id: profileId, kind: 'exited' as const, at, trigger_seq: triggerSeq })),
  ];
  if (changes.length > 0) await trx.insertInto('membership_changes').values(changes).execute();
}
