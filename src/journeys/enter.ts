// Entry into a journey (in the caller's transaction): the re-entry policy, the holdout draw, the new
// enrollment row at the first step, then the runner takes the person as far as they go.
import { createHash } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { Database } from '../storage/index.js';
import { isHoldout } from './assign.js';
import { advance, type Enrollment, type EnrollmentContext, type JourneyRef, type RunnerDeps } from './runner.js';
import { durationMs, type JourneyDefinition } from './schema.js';

/** A journey that takes new entries, at its newest version. */
export interface LiveJourney extends JourneyRef {
  version: number;
  def: JourneyDefinition;
}

const enrollmentId = (journeyId: string, profileId: string, entryNo: number) =>
  'jen_' + createHash('sha256').update(`${journeyId}\n${profileId}\n${entryNo}`).digest('base64url').slice(0, 22);

/** Products in an e-commerce event (`properties.products`, or the event's own product fields). */
export function productsOf(event: Record<string, unknown> | null | undefined): Record<string, unknown>[] {
  const props = (event?.properties ?? {}) as Record<string, unknown>;
  if (Array.isArray(props.products)) return props.products.filter((p): p is Record<string, unknown> => p !== null && typeof p === 'object');
  return props.product_id !== undefined || props.sku !== undefined || props.name !== undefined ? [props] : [];
}

/** Enters the person unless the re-entry policy (or being inside already) forbids it; returns whether they entered. */
export async function enter(trx: Transaction<Database>, deps: RunnerDeps, j: LiveJourney, profileId: string, event: Record<string, unknown> | null, now: number): Promise<boolean> {
  // Over every entry of the person, those they made under a profile merged into this one included
  // (followMerge moves them here), so "once" and "after N days" hold across a sign-in.
  const past = await trx
    .selectFrom('journey_enrollments')
    .select((eb) => [eb.fn.max('entry_no').as('entry_no'), eb.fn.max('entered_at').as('entered_at'), sql<number>`SUM(CASE WHEN state = 'active' THEN 1 ELSE 0 END)`.as('active')])
    .where('journey_id', '=', j.id)
    .where('profile_id', '=', profileId)
    .executeTakeFirst();
  const reentry = j.def.rules?.reentry ?? { policy: 'once' as const };
  if (past?.entry_no !== null && past?.entry_no !== undefined) {
    if (Number(past.active) > 0) return false;
    if (reentry.policy === 'once') return false;
    if (reentry.policy === 'after' && now - Number(past.entered_at) < durationMs(reentry.after)) return false;
  }
  const entryNo = Number(past?.entry_no ?? 0) + 1;
  const context: EnrollmentContext = { event, cart: productsOf(event) };
  const e: Enrollment = {
    id: enrollmentId(j.id, profileId, entryNo),
    journey_id: j.id,
    version: j.version,
    profile_id: profileId,
    entry_no: entryNo,
    state: 'active',
    step_id: j.def.steps[0].id,
    due_at: null,
    rev: 0,
    holdout: isHoldout(j.id, profileId, j.def.rules?.holdoutPercent) ? 1 : 0,
    variant: null,
    context,
    contexts: deps.contexts,
    entered_at: now,
    step_at: now,
    exited_at: null,
    exit_reason: null,
    revenue: null,
  };
  const { contexts: _, ...row } = e;
  const stored = deps.contexts.storeValue(context);
  await trx.insertInto('journey_enrollments').values({ ...row, context: stored.value, context_key: stored.key }).execute();
  // A new row is this transaction's own: nobody else can move it before commit.
  e.claimed = true;
  e.pending = [
    { journey_id: j.id, version: j.version, enrollment_id: e.id, profile_id: profileId, step_id: null, kind: 'journey_entered', channel: null, detail: e.holdout ? 'holdout' : null, at: now },
    { journey_id: j.id, version: j.version, enrollment_id: e.id, profile_id: profileId, step_id: e.step_id, kind: 'entered', channel: null, detail: null, at: now },
  ];
  await advance(trx, deps, j, j.def, e, now, 'arrived');
  return true;
}
