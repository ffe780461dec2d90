// The journeys' two pipeline stages. Over profile_changes (events attributed to profiles): goals,
// awaited events, cart context, event triggers and coupon redemption, and identity merges (positions
// follow the surviving profile). Over membership_changes:
// segment-entered triggers and exit on segment exit. Each batch runs the people it touches in the
// stage transaction, so positions, enrollments and outbox rows commit together.
import { sql, type Transaction } from 'kysely';
import { Stage, type StageOptions } from '../log/index.js';
import type { Clock } from '../shared/clock.js';
import type { Database, Db, Dialect } from '../storage/index.js';
import type { SealedJson } from '../shared/encryption/sealed-json.js';
import { membershipFeed, type MembershipChange } from '../destinations/index.js';
import { profileChangesFeed, type ProfileChange } from '../segments/index.js';
import { redeemCoupon } from './coupons.js';
import { enter, productsOf, type LiveJourney } from './enter.js';
import { advance, claim, EnrollmentMoved, eventMatches, finish, revenueOf, saveEnrollment, toEnrollments, type RunnerDeps } from './runner.js';
import type { JourneyStore } from './store.js';

type Trx = Transaction<Database>;
export const JOURNEY_EVENTS_STAGE = 'journeys:events';
export const JOURNEY_MEMBERSHIPS_STAGE = 'journeys:memberships';

interface StageDeps {
  db: Db;
  dialect: Dialect;
  clock: Clock;
  /** events.payload (EventLog.payloads): opened when sealed at rest. */
  payloads: SealedJson;
  store: JourneyStore;
  runner: RunnerDeps;
  afterCommit(): void;
  onError?: StageOptions<unknown>['onError'];
}

async function activeEnrollments(trx: Trx, contexts: SealedJson, profileId: string) {
  const rows = await trx
    .selectFrom('journey_enrollments as e')
    .innerJoin('journeys as j', 'j.id', 'e.journey_id')
    .selectAll('e')
    .select(['j.name as journey_name', 'j.status as journey_status'])
    .where('e.profile_id', '=', profileId)
    .where('e.state', '=', 'active')
    .execute();
  return (await toEnrollments(contexts, rows)).map((e) => ({ e, name: e.journey_name, status: e.journey_status }));
}

/** Applies one event of a profile to its journeys. */
export async function applyEvent(trx: Trx, d: StageDeps, live: LiveJourney[], profileId: string, seq: number, event: Record<string, unknown>, now: number) {
  const props = (event.properties ?? {}) as Record<string, unknown>;
  if (event.event === 'Order Completed' && typeof props.coupon === 'string') await redeemCoupon(trx, props.coupon, seq, now);
  for (const { e, name, status } of await activeEnrollments(trx, d.runner.contexts, profileId)) {
    const def = await d.store.definition(trx, e.journey_id, e.version);
    const goal = def.rules?.goal;
    if (goal && eventMatches(goal, event)) {
      await finish(trx, e, 'converted', `goal ${goal.event}`, now, revenueOf(event));
      continue;
    }
    if (status === 'paused') continue;
    let changed = false;
    if (event.event === 'Product Added') {
      e.context.cart = [...(e.context.cart ?? []), ...productsOf(event)];
      changed = true;
    } else if (event.event === 'Product Removed') {
      const gone = productsOf(event).map((p) => p.product_id ?? p.sku);
      e.context.cart = (e.context.cart ?? []).filter((p) => !gone.includes(p.product_id ?? p.sku));
      changed = true;
    }
    const step = def.steps.find((s) => s.id === e.step_id);
    if (step?.type === 'wait_for_event' && e.due_at !== null && eventMatches(step, event)) {
      e.context.awaited = event;
      await advance(trx, d.runner, { id: e.journey_id, name }, def, e, now, 'event');
    } else if (changed) await saveEnrollment(trx, e);
  }
  for (const j of live) if (j.def.trigger.type === 'event' && eventMatches(j.def.trigger, event)) await enter(trx, d.runner, j, profileId, event, now);
}

/**
 * Identity merged `gone` into `into`: the person's entries follow the surviving profile. Each
 * active enrollment of `gone` moves to `into` (keeping its step, pending wait and context) unless
 * `into` is inside that journey already — then `into`'s position stands and `gone`'s ends (exited,
 * "merged"). Finished enrollments move too, so the re-entry policy ("once", "after N days") sees
 * what the person did under either profile. Moved entries are numbered after `into`'s own. Their
 * activity rows move as well, so frequency caps count the sends the person got under either profile.
 */
export async function followMerge(trx: Trx, d: Pick<StageDeps, 'runner'>, gone: string, into: string, now: number) {
  const rows = await trx.selectFrom('journey_enrollments').selectAll().where('profile_id', '=', gone).orderBy('entered_at').orderBy('entry_no').execute();
  if (rows.length > 0) {
    const theirs = await trx
      .selectFrom('journey_enrollments')
      .select((eb) => ['journey_id', eb.fn.max('entry_no').as('last'), sql<number>`SUM(CASE WHEN state = 'active' THEN 1 ELSE 0 END)`.as('active')])
      .where('profile_id', '=', into)
      .where('journey_id', 'in', [...new Set(rows.map((r) => r.journey_id))])
      .groupBy('journey_id')
      .execute();
    const last = new Map(theirs.map((t) => [t.journey_id, Number(t.last)]));
    const inside = new Set(theirs.filter((t) => Number(t.active) > 0).map((t) => t.journey_id));
    for (const e of await toEnrollments(d.runner.contexts, rows)) {
      const entryNo = (last.get(e.journey_id) ?? 0) + 1;
      const moved = await guarded(async () => {
        if (e.state === 'active' && inside.has(e.journey_id)) await finish(trx, e, 'exited', `merged into ${into}, who is in the journey already`, now);
        else if (e.state === 'active') {
          await claim(trx, e);
          inside.add(e.journey_id);
        }
        await trx.updateTable('journey_enrollments').set({ profile_id: into, entry_no: entryNo }).where('id', '=', e.id).execute();
      });
      if (moved) last.set(e.journey_id, entryNo);
    }
  }
  await trx.updateTable('journey_activity').set({ profile_id: into }).where('profile_id', '=', gone).execute();
}

export function journeyEventsStage(d: StageDeps) {
  return new Stage<ProfileChange>({
    name: JOURNEY_EVENTS_STAGE,
    db: d.db,
    dialect: d.dialect,
    feed: profileChangesFeed(d.db),
    batchSize: 500,
    itemKey: (c) => c.profile_id,
    onError: d.onError,
    afterCommit: d.afterCommit,
    async apply(trx, items) {
      if (!(await d.store.anyRunning(trx))) return;
      const changes = items.map((i) => i.item).filter((c) => (c.kind === 'event' && c.event_seq !== null) || (c.kind === 'merged' && c.other_profile_id));
      if (changes.length === 0) return;
      const seqs = changes.filter((c) => c.kind === 'event').map((c) => Number(c.event_seq));
      const events = new Map<number, Record<string, unknown>>();
      for (let i = 0; i < seqs.length; i += 500) {
        const rows = await trx.selectFrom('events').select(['seq', 'payload', 'payload_key']).where('seq', 'in', seqs.slice(i, i + 500)).execute();
        const payloads = await d.payloads.openAll(rows.map((r) => ({ value: r.payload, key: r.payload_key })));
        rows.forEach((r, n) => events.set(Number(r.seq), payloads[n] as Record<string, unknown>));
      }
      const live = await d.store.live(trx);
      const now = d.clock.now();
      for (const c of changes) {
        if (c.kind === 'merged') {
          await followMerge(trx, d, c.other_profile_id!, c.profile_id, now);
          continue;
        }
        const event = events.get(Number(c.event_seq));
        if (event) await guarded(() => applyEvent(trx, d, live, c.profile_id, Number(c.event_seq), event, now));
      }
    },
  });
}

export function journeyMembershipsStage(d: StageDeps) {
  return new Stage<MembershipChange>({
    name: JOURNEY_MEMBERSHIPS_STAGE,
    db: d.db,
    dialect: d.dialect,
    feed: membershipFeed(d.db),
    batchSize: 1000,
    itemKey: (c) => c.profile_id,
    onError: d.onError,
    afterCommit: d.afterCommit,
    async apply(trx, items) {
      if (!(await d.store.anyRunning(trx))) return;
      const live = await d.store.live(trx);
      const now = d.clock.now();
      for (const { item: c } of items) {
        if (c.kind === 'exited') {
          for (const { e } of await activeEnrollments(trx, d.runner.contexts, c.profile_id)) {
            const def = await d.store.definition(trx, e.journey_id, e.version);
            const rule = def.rules?.exitOnSegmentExit;
            const segment = typeof rule === 'object' ? rule.segmentId : rule && 'segmentId' in def.trigger ? def.trigger.segmentId : undefined;
            if (segment === c.segment_id) await guarded(() => finish(trx, e, 'exited', `left segment ${segment}`, now));
          }
        } else
          for (const j of live)
            if (j.def.trigger.type === 'segment_entered' && j.def.trigger.segmentId === c.segment_id) await guarded(() => enter(trx, d.runner, j, c.profile_id, null, now));
      }
    },
  });
}

/** Another transaction moved the person first (another process): its move stands. */
async function guarded(f: () => Promise<unknown>): Promise<boolean> {
  try {
    await f();
    return true;
  } catch (err) {
    if (!(err instanceof EnrollmentMoved)) throw err;
    return false;
  }
}
