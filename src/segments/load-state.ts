// Reads what the incremental evaluator needs about a few profiles, inside the caller's transaction,
// with one query per table for the whole set.
import type { Transaction } from 'kysely';
import type { Database, Dialect } from '../storage/index.js';
import { PREDICTION_TRAITS, type RfmSegmentName } from './rule-schema.js';
import type { ProfileState } from './profile-state.js';

type Trx = Transaction<Database>;

/** States of the profiles that exist (deleted and merged-away ones are absent). */
export async function loadProfileStates(trx: Trx, dialect: Dialect, ids: string[], eventNames: readonly string[]): Promise<Map<string, ProfileState>> {
  const states = new Map<string, ProfileState>();
  if (ids.length === 0) return states;
  const profiles = await trx.selectFrom('profiles').select(['id', 'traits', 'computed', 'pii_index']).where('id', 'in', ids).execute();
  for (const p of profiles)
    states.set(p.id, {
      id: p.id,
      traits: dialect.parseJson(p.traits) as Record<string, unknown>,
      piiIndex: p.pii_index === null ? undefined : (dialect.parseJson(p.pii_index) as Record<string, unknown>),
      computed: dialect.parseJson(p.computed) as Record<string, unknown>,
      events: [],
      tags: new Set(),
      rfm: null,
      predictions: null,
      memberships: new Set(),
    });
  if (eventNames.length > 0) {
    const events = await trx
      .selectFrom('profile_events')
      .select(['profile_id', 'seq', 'event', 'ts', 'properties'])
      .where('profile_id', 'in', ids)
      .where('event', 'in', [...eventNames])
      .execute();
    for (const e of events)
      states.get(e.profile_id)?.events.push({ seq: Number(e.seq), event: e.event, ts: Number(e.ts), properties: dialect.parseJson(e.properties) as Record<string, unknown> });
  }
  for (const t of await trx.selectFrom('profile_tags').select(['profile_id', 'tag']).where('profile_id', 'in', ids).execute())
    states.get(t.profile_id)?.tags.add(t.tag);
  for (const r of await trx.selectFrom('rfm_scores').select(['profile_id', 'r', 'f', 'm', 'segment']).where('profile_id', 'in', ids).execute()) {
    const s = states.get(r.profile_id);
    if (s) s.rfm = { rfm_r: r.r, rfm_f: r.f, rfm_m: r.m, rfm_segment: r.segment as RfmSegmentName };
  }
  for (const r of await trx.selectFrom('prediction_scores').select(['profile_id', ...PREDICTION_TRAITS]).where('profile_id', 'in', ids).execute()) {
    const s = states.get(r.profile_id);
    if (s) s.predictions = Object.fromEntries(PREDICTION_TRAITS.map((t) => [t, r[t] === null ? null : Number(r[t])])) as ProfileState['predictions'];
  }
  return states;
}
