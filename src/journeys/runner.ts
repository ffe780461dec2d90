// The journey runner: moves one person through a journey's steps inside the caller's transaction
// (a stage batch or a timer tick), until they wait, finish or leave. Position, pending wait and the
// outbox rows of every send commit together, and each send's idempotency key is
// journey:<journeyId>:<version>:<profileId>:<entry>:<stepId>, so a crash or a replay neither loses
// nor doubles a message. Definitions have no cycles (validate.ts), so a step runs once per entry.
import { type Insertable, type Transaction } from 'kysely';
import { enqueue, getPath, matchesFilter, type NewDelivery } from '../destinations/index.js';
import { consentAllows, type CategoryPreferences } from '../privacy/index.js';
import type { Database, Dialect } from '../storage/index.js';
import { SealedJson } from '../shared/encryption/sealed-json.js';
import type { FieldCipher } from '../shared/encryption/field-cipher.js';
import { insertRows, updateRows } from '../storage/bulk.js';
import { isHoldout, pickVariant } from './assign.js';
import { assignCoupon } from './coupons.js';
import { afterQuietHours, isValidTimeZone, nextLocalTime } from './local-time.js';
import { recipientIn } from './reach.js';
import { preparedFor, renderPrepared } from './render.js';
import { durationMs, type BranchCondition, type JourneyDefinition, type JourneyDelivery, type Step } from './schema.js';
import type { JourneyActivityTable, JourneyEnrollmentsTable } from './tables.js';
import { openTraits } from '../shared/encryption/pii-vault.js';

type Trx = Transaction<Database>;

/** A destination as the runner needs it (from the destinations store's `active(trx)`). */
export interface RunnerDestination {
  id: string;
  kind: 'events' | 'audience';
  connector: { name: string };
  category: string | null;
  segments: Record<string, string>;
}

export interface RunnerDeps {
  dialect: Dialect;
  /** journey_enrollments.context (enrollmentContexts): the triggering event, sealed at rest with a KEK. */
  contexts: SealedJson;
  /** deliveries.payload (the destinations' deliveryPayloads): messages are sealed at rest with a KEK. */
  outbox: SealedJson;
  destinations(trx: Trx): Promise<RunnerDestination[]>;
  /** Adds/removes a manual tag in the transaction (segments re-decided). */
  writeTag(trx: Trx, tag: string, profileIds: string[], op: 'add' | 'remove'): Promise<void>;
  /** The person's effective consent (privacy/consent), read in the transaction. */
  consentOf(trx: Trx, profileId: string): Promise<CategoryPreferences | undefined>;
}

export interface JourneyRef {
  id: string;
  name: string;
}

export interface EnrollmentContext {
  event?: Record<string, unknown> | null;
  cart?: Record<string, unknown>[];
  coupon?: string;
  [k: string]: unknown;
}
/**
 * An enrollment row as the runner holds it: context opened and parsed (`contexts` seals it again on
 * save); `claimed` once this transaction owns it; activity rows to write with it.
 */
export type Enrollment = Omit<JourneyEnrollmentsTable, 'rev' | 'context' | 'context_key'> & { rev: number; context: EnrollmentContext; contexts: SealedJson; claimed?: boolean; pending?: ActivityRow[] };
type ActivityRow = Insertable<JourneyActivityTable>;

/** journey_enrollments.context, sealed with `cipher` (undefined: field encryption off; see EventLog.payloads.cipher). */
export const enrollmentContexts = (dialect: Dialect, cipher: FieldCipher | undefined) =>
  new SealedJson({ table: 'journey_enrollments', id: 'id', value: 'context', key: 'context_key' }, dialect, cipher);

/** Enrollment rows as the runner holds them: the one way rows of journey_enrollments are read. */
export async function toEnrollments<R extends Omit<JourneyEnrollmentsTable, 'rev'> & { rev: number }>(contexts: SealedJson, rows: R[]): Promise<(Enrollment & Omit<R, keyof JourneyEnrollmentsTable>)[]> {
  await contexts.ready(rows.map((r) => r.context_key));
  return rows.map(({ context_key, ...row }) => ({
    ...(row as Omit<R, 'context_key'> & Omit<R, keyof JourneyEnrollmentsTable>), rev: Number(row.rev), version: Number(row.version), entry_no: Number(row.entry_no), holdout: Number(row.holdout), due_at: row.due_at === null ? null : Number(row.due_at),
    entered_at: Number(row.entered_at), step_at: Number(row.step_at), context: contexts.openLoaded(row.context, context_key) as EnrollmentContext, contexts,
  }));
}

/** The columns an enrollment's context is stored in. */
const storedContext = (e: Enrollment) => {
  const { value, key } = e.contexts.storeValue(e.context);
  return { context: value, context_key: key };
};

/** Thrown when another transaction moved the person first: the caller drops its work for them. */
export class EnrollmentMoved extends Error {}

/** Why the runner is looking at the person: they just arrived at their step, their wait fell due, or the awaited event came. */
export type Resume = 'arrived' | 'timer' | 'event';

export const deliveryKey = (e: Pick<Enrollment, 'journey_id' | 'version' | 'profile_id' | 'entry_no'>, stepId: string) =>
  `journey:${e.journey_id}:${e.version}:${e.profile_id}:${e.entry_no}:${stepId}`;

export const timeZoneOf = (def: JourneyDefinition, traits: Record<string, unknown>) => {
  const tz = traits[def.rules?.timezoneTrait ?? 'timezone'];
  return typeof tz === 'string' && isValidTimeZone(tz) ? tz : (def.rules?.defaultTimezone ?? 'UTC');
};

export async function profileTraits(trx: Trx, dialect: Dialect, profileId: string): Promise<Record<string, unknown> | null> {
  const row = await trx.selectFrom('profiles').select('traits').where('id', '=', profileId).executeTakeFirst();
  return row ? openTraits(dialect, dialect.parseJson(row.traits) as Record<string, unknown>) : null;
}

/** Recorded with the enrollment's next save (one statement for all the steps a move passes). */
async function activity(_trx: Trx, e: Enrollment, stepId: string | null, kind: string, at: number, channel: string | null = null, detail: string | null = null) {
  (e.pending ??= []).push({ journey_id: e.journey_id, version: e.version, enrollment_id: e.id, profile_id: e.profile_id, step_id: stepId, kind, channel, detail, at });
}

/**
 * Takes the person for this transaction before anything is written for them: bumps `rev` only if
 * nobody moved them since they were read, else EnrollmentMoved (nothing written yet). On PostgreSQL
 * the row stays locked until commit, so a second process waits and then finds the new rev.
 */
export async function claim(trx: Trx, e: Enrollment) {
  if (e.claimed) return;
  const res = await trx.updateTable('journey_enrollments').set({ rev: e.rev + 1 }).where('id', '=', e.id).where('rev', '=', e.rev).executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) throw new EnrollmentMoved(e.id);
  e.rev += 1;
  e.claimed = true;
}

/** Writes the claimed enrollment's new state and its activity rows (into the batch, when moving many people). */
export async function saveEnrollment(trx: Trx, e: Enrollment, batch?: MoveBatch) {
  await claim(trx, e);
  if (batch) return batch.save(e);
  await trx
    .updateTable('journey_enrollments')
    .set({ state: e.state, step_id: e.step_id, due_at: e.due_at, variant: e.variant, ...storedContext(e), step_at: e.step_at, exited_at: e.exited_at, exit_reason: e.exit_reason, revenue: e.revenue })
    .where('id', '=', e.id)
    .execute();
  if (e.pending?.length) await trx.insertInto('journey_activity').values(e.pending).execute();
  e.pending = [];
}

/** Ends the enrollment (completed at an exit step, converted by the goal, exited by a rule or an archive). */
export async function finish(trx: Trx, e: Enrollment, state: 'completed' | 'converted' | 'exited', reason: string, now: number, revenue: number | null = null, batch?: MoveBatch) {
  await claim(trx, e);
  e.state = state;
  e.due_at = null;
  e.exited_at = now;
  e.exit_reason = reason;
  if (revenue !== null) e.revenue = revenue;
  await activity(trx, e, e.step_id, state, now, null, reason);
  await saveEnrollment(trx, e, batch);
}

/** A definition's steps by id, built once per (immutable, cached) definition object, not per person moved. */
const stepMaps = new WeakMap<JourneyDefinition, Map<string, Step>>();
function stepsOf(def: JourneyDefinition): Map<string, Step> {
  let m = stepMaps.get(def);
  if (!m) stepMaps.set(def, (m = new Map(def.steps.map((s) => [s.id, s]))));
  return m;
}

/**
 * Runs the person from their current step until they wait or finish. `resume` says why: at a wait
 * step, `timer` and `event` pass it; at a send or update step, `timer` performs a parked action.
 */
export async function advance(trx: Trx, deps: RunnerDeps, journey: JourneyRef, def: JourneyDefinition, e: Enrollment, now: number, resume: Resume, prefetched?: Record<string, unknown>, batch?: MoveBatch) {
  await claim(trx, e);
  const steps = stepsOf(def);
  let traits: Record<string, unknown> | undefined = prefetched;
  const getTraits = async () => (traits ??= (await profileTraits(trx, deps.dialect, e.profile_id)) ?? {});
  let destinations: Map<string, RunnerDestination> | undefined;
  const getDestinations = async () => (destinations ??= batch ? await batch.destinations(trx, deps) : new Map((await deps.destinations(trx)).map((d) => [d.id, d])));
  const go = async (next: string) => {
    e.step_id = next;
    e.step_at = now;
    e.due_at = null;
    resume = 'arrived';
    await activity(trx, e, next, 'entered', now);
  };
  const park = async (due: number) => {
    e.due_at = due;
    await saveEnrollment(trx, e, batch);
  };

  for (let guard = 0; guard <= def.steps.length; guard++) {
    const step = e.step_id ? steps.get(e.step_id) : undefined;
    if (!step) return finish(trx, e, 'exited', `step ${e.step_id} is not in version ${e.version}`, now, null, batch);
    switch (step.type) {
      case 'wait':
        if (resume === 'arrived') return park(now + durationMs(step.duration));
        await go(step.next);
        break;
      case 'wait_until':
        if (resume === 'arrived') return park(nextLocalTime(now, step.at, timeZoneOf(def, await getTraits())));
        await go(step.next);
        break;
      case 'wait_for_event':
        if (resume === 'arrived') return park(now + durationMs(step.timeout));
        await go(resume === 'event' ? step.next : step.timeoutNext);
        break;
      case 'branch': {
        let target = step.else;
        for (const b of step.branches)
          if (await holds(trx, deps, b.when, e, await getTraits())) {
            target = b.next;
            break;
          }
        await go(target);
        break;
      }
      case 'split': {
        const v = pickVariant(step.variants, e.journey_id, step.id, e.profile_id);
        e.variant = v.name;
        await activity(trx, e, step.id, 'variant', now, null, v.name);
        await go(v.next);
        break;
      }
      case 'send': {
        if (resume === 'arrived' && step.channel !== 'audience') {
          const allowed = afterQuietHours(now, def.rules?.quietHours, timeZoneOf(def, await getTraits()));
          if (allowed > now) return park(allowed);
        }
        await send(trx, deps, journey, def, e, step, now, await getTraits(), await getDestinations(), batch);
        await go(step.next);
        break;
      }
      case 'update_profile':
        // Traits go through the event log (an identify event the timer tick appends before this
        // transaction), so the step parks once to let the tick do that first.
        if (step.setTraits && resume === 'arrived') return park(now);
        for (const tag of step.addTags ?? []) await deps.writeTag(trx, tag, [e.profile_id], 'add');
        for (const tag of step.removeTags ?? []) await deps.writeTag(trx, tag, [e.profile_id], 'remove');
        await go(step.next);
        break;
      case 'exit':
        return finish(trx, e, 'completed', 'exit step', now, null, batch);
    }
  }
  throw new Error(`journey ${journey.id} v${e.version}: more steps than the definition has (a cycle?)`);
}

type SendStep = Extract<Step, { type: 'send' }>;

async function send(trx: Trx, deps: RunnerDeps, journey: JourneyRef, def: JourneyDefinition, e: Enrollment, step: SendStep, now: number, traits: Record<string, unknown>, destinations: Map<string, RunnerDestination>, batch?: MoveBatch) {
  const suppress = (reason: string) => activity(trx, e, step.id, 'suppressed', now, step.channel, reason);
  if (e.holdout) return suppress('holdout');
  const d = destinations.get(step.destinationId);
  if (!d) return suppress('destination missing');
  for (const cap of def.rules?.frequencyCaps ?? []) {
    if (cap.channel !== step.channel) continue;
    const row = await trx
      .selectFrom('journey_activity')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('profile_id', '=', e.profile_id)
      .where('channel', '=', step.channel)
      .where('kind', '=', 'sent')
      .where('at', '>', now - durationMs(cap.per))
      .executeTakeFirst();
    // Sends not yet written: this move's, and (moving many people) the batch's earlier moves of the same person.
    const mine = (e.pending ?? []).filter((a) => a.kind === 'sent' && a.channel === step.channel).length + (batch?.sentTo(e.profile_id, step.channel) ?? 0);
    if (Number(row?.n ?? 0) + mine >= cap.max) return suppress(`frequency cap: ${cap.max} ${step.channel} per ${cap.per.amount} ${cap.per.unit}`);
  }
  // The one consent decision (privacy/consent): events' and the API's statements, required categories granted.
  if (d.category && !consentAllows(await deps.consentOf(trx, e.profile_id), d.category)) return suppress(`consent for ${d.category} is denied`);
  const ctx = e.context;
  const key = deliveryKey(e, step.id);
  let delivery: NewDelivery;
  if (step.channel === 'audience') {
    const audience = step.audience!;
    if (!d.segments[audience.segmentId]) return suppress(`segment ${audience.segmentId} is not synced to the destination`);
    delivery = { destinationId: d.id, idempotencyKey: key, orderKey: e.profile_id, op: audience.op, segmentId: audience.segmentId, payload: { journeyId: e.journey_id, stepId: step.id }, at: now, journey: { id: e.journey_id, stepId: step.id } };
  } else {
    const recipient = await recipientIn(trx, step.channel, traits, e.profile_id, ctx.event);
    if (!recipient) return suppress(`not reachable by ${step.channel}`);
    if (step.couponPoolId && !ctx.coupon) {
      const code = await assignCoupon(trx, step.couponPoolId, e.profile_id, e.journey_id, now);
      if (!code) return suppress(`coupon pool ${step.couponPoolId} has no free code`);
      ctx.coupon = code;
    }
    const message = renderPrepared(preparedFor({ journeyId: e.journey_id, version: e.version, stepId: step.id }, step.message), { profile: traits, event: ctx.event ?? null, journey: { id: journey.id, name: journey.name, version: e.version, ...ctx } });
    const body: JourneyDelivery = {
      type: 'journey',
      journeyId: e.journey_id,
      version: e.version,
      stepId: step.id,
      profileId: e.profile_id,
      channel: step.channel,
      ...recipient,
      message,
      traits,
      context: { ...ctx, variant: e.variant },
    };
    delivery = { destinationId: d.id, idempotencyKey: key, orderKey: e.profile_id, op: 'event', payload: { body }, at: now, journey: { id: e.journey_id, stepId: step.id } };
  }
  if (batch) batch.deliveries.push(delivery);
  else await enqueue(trx, deps.outbox, [delivery]);
  await activity(trx, e, step.id, 'sent', now, step.channel);
}

async function holds(trx: Trx, deps: RunnerDeps, c: BranchCondition, e: Enrollment, traits: Record<string, unknown>): Promise<boolean> {
  switch (c.type) {
    case 'trait':
      return matchesFilter({ conditions: [{ path: `t.${c.path}`, op: c.op, value: c.value }] }, { t: traits });
    case 'segment': {
      const row = await trx.selectFrom('segment_memberships').select('profile_id').where('segment_id', '=', c.segmentId).where('profile_id', '=', e.profile_id).executeTakeFirst();
      return (row !== undefined) === (c.member ?? true);
    }
    case 'tag': {
      const manual = await trx.selectFrom('profile_tags').select('tag').where('tag', '=', c.tag).where('profile_id', '=', e.profile_id).executeTakeFirst();
      const ruled =
        manual ??
        (await trx
          .selectFrom('segment_memberships as m')
          .innerJoin('segments as s', 's.id', 'm.segment_id')
          .select('m.profile_id')
          .where('s.tag', '=', c.tag)
          .where('m.profile_id', '=', e.profile_id)
          .executeTakeFirst());
      return (ruled !== undefined) === (c.has ?? true);
    }
    case 'event': {
      const rows = await trx
        .selectFrom('profile_events')
        .select(['type', 'event', 'properties'])
        .where('profile_id', '=', e.profile_id)
        .where('event', '=', c.event)
        .where('ts', '>=', e.entered_at)
        .execute();
      for (const r of rows) {
        const properties = await openTraits(deps.dialect, deps.dialect.parseJson(r.properties) as Record<string, unknown>);
        if (matchesFilter({ conditions: c.where }, { type: r.type, event: r.event, properties })) return true;
      }
      return false;
    }
    case 'reachable':
      return (await recipientIn(trx, c.channel, traits, e.profile_id, e.context.event)) !== null;
  }
}

const ENROLLMENT_COLUMNS = ['id', 'state', 'step_id', 'due_at', 'variant', 'context', 'context_key', 'step_at', 'exited_at', 'exit_reason', 'revenue'] as const;
const PG_TYPES = ['text', 'text', 'text', 'bigint', 'text', 'jsonb', 'text', 'bigint', 'bigint', 'text', 'float8'];

/**
 * The writes of many people's moves in one transaction (a timer tick's claimed batch), made at the
 * end with multi-row statements: the outbox rows (through the one outbox's enqueue), the activity
 * rows, and the enrollments' new state. The people were claimed (rev bumped) before any move, so the
 * batch owns them until commit; a crash before commit leaves them due, exactly as they were.
 */
export class MoveBatch {
  readonly deliveries: NewDelivery[] = [];
  private readonly saves = new Map<string, Enrollment>();
  private readonly rows: ActivityRow[] = [];
  private readonly sent = new Map<string, number>();
  private dests?: Map<string, RunnerDestination>;

  /** The active destinations, read once per batch. */
  async destinations(trx: Trx, deps: RunnerDeps): Promise<Map<string, RunnerDestination>> {
    return (this.dests ??= new Map((await deps.destinations(trx)).map((d) => [d.id, d])));
  }

  save(e: Enrollment) {
    this.saves.set(e.id, e);
    for (const a of e.pending ?? []) {
      this.rows.push(a);
      if (a.kind === 'sent') this.sent.set(`${a.profile_id}\n${a.channel}`, this.sentTo(a.profile_id, a.channel ?? '') + 1);
    }
    e.pending = [];
  }

  /** Sends to the person on the channel already in this batch (frequency caps count them). */
  sentTo(profileId: string, channel: string): number {
    return this.sent.get(`${profileId}\n${channel}`) ?? 0;
  }

  get size() {
    return this.saves.size;
  }

  async flush(trx: Trx, outbox: SealedJson) {
    const dialect = outbox.dialect;
    await enqueue(trx, outbox, this.deliveries);
    await insertRows(trx, dialect, 'journey_activity', ['journey_id', 'version', 'enrollment_id', 'profile_id', 'step_id', 'kind', 'channel', 'detail', 'at'], this.rows);
    const saves = [...this.saves.values()].map((e) => ({ ...e, ...storedContext(e) }));
    await updateRows(trx, dialect, 'journey_enrollments', ENROLLMENT_COLUMNS, PG_TYPES, saves);
    this.deliveries.length = 0;
    this.rows.length = 0;
    this.saves.clear();
    this.sent.clear();
  }
}

/** Whether an event (normalised: type, event, properties, context…) is the awaited/goal/trigger one. */
export const eventMatches = (spec: { event: string; where?: { path: string; op: string; value?: unknown }[] }, event: Record<string, unknown>) =>
  event.event === spec.event && matchesFilter({ conditions: spec.where as never }, event);

/** The order's value for revenue: `revenue`, else `total`, else `value` (Segment e-commerce spec). */
export function revenueOf(event: Record<string, unknown>): number | null {
  for (const k of ['revenue', 'total', 'value']) {
    const v = getPath(event, `properties.${k}`);
    if (typeof v === 'number' && Number.isFinite(v)) return v;
  }
  return null;
}

export { isHoldout };
