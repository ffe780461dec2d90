// Journey reporting: people per state and per step, sends, conversions, and the holdout comparison
// (conversion rate and revenue per person, treatment minus holdout, with a 95 % interval for the
// difference of two proportions — normal approximation).
import type { Db } from '../storage/index.js';
import type { JourneyDefinition, JourneyStats } from './schema.js';

type Outcome = JourneyStats['treatment'];

export function liftOf(t: Outcome, h: Outcome): JourneyStats['lift'] {
  if (t.entered === 0 || h.entered === 0) return { conversionRate: null, ci95: null, revenuePerPerson: null };
  const diff = t.conversionRate - h.conversionRate;
  const se = Math.sqrt((t.conversionRate * (1 - t.conversionRate)) / t.entered + (h.conversionRate * (1 - h.conversionRate)) / h.entered);
  return { conversionRate: diff, ci95: [diff - 1.96 * se, diff + 1.96 * se], revenuePerPerson: t.revenuePerPerson - h.revenuePerPerson };
}

export async function journeyStats(db: Db, journeyId: string, def: JourneyDefinition): Promise<JourneyStats> {
  const groups = await db
    .selectFrom('journey_enrollments')
    .select((eb) => ['state', 'holdout', eb.fn.countAll().as('n'), eb.fn.sum('revenue').as('revenue')])
    .where('journey_id', '=', journeyId)
    .groupBy(['state', 'holdout'])
    .execute();
  const count = (pred: (g: (typeof groups)[number]) => boolean) => groups.filter(pred).reduce((s, g) => s + Number(g.n), 0);
  const outcome = (holdout: number): Outcome => {
    const entered = count((g) => Number(g.holdout) === holdout);
    const converted = count((g) => Number(g.holdout) === holdout && g.state === 'converted');
    const revenue = groups.filter((g) => Number(g.holdout) === holdout).reduce((s, g) => s + Number(g.revenue ?? 0), 0);
    return { entered, converted, conversionRate: entered ? converted / entered : 0, revenue, revenuePerPerson: entered ? revenue / entered : 0 };
  };
  const at = await db
    .selectFrom('journey_enrollments')
    .select((eb) => ['step_id', eb.fn.countAll().as('n')])
    .where('journey_id', '=', journeyId)
    .where('state', '=', 'active')
    .groupBy('step_id')
    .execute();
  const acts = await db
    .selectFrom('journey_activity')
    .select((eb) => ['step_id', 'kind', eb.fn.countAll().as('n')])
    .where('journey_id', '=', journeyId)
    .groupBy(['step_id', 'kind'])
    .execute();
  const act = (stepId: string | null, kind: string) => acts.filter((a) => (stepId === null || a.step_id === stepId) && a.kind === kind).reduce((s, a) => s + Number(a.n), 0);
  // Delivery outcomes of the sends, from the outbox rows (key journey:<id>:<version>:<profile>:<entry>:<step>).
  const destinations = [...new Set(def.steps.flatMap((s) => (s.type === 'send' ? [s.destinationId] : [])))];
  const outcomes = new Map<string, { delivered: number; failed: number }>();
  if (destinations.length > 0) {
    const rows = await db
      .selectFrom('deliveries')
      .select(['idempotency_key', 'status'])
      .where('destination_id', 'in', destinations)
      .where('idempotency_key', 'like', `journey:${journeyId}:%`)
      .where('status', 'in', ['delivered', 'dead'])
      .execute();
    for (const r of rows) {
      const stepId = r.idempotency_key.split(':').slice(5).join(':');
      const o = outcomes.get(stepId) ?? { delivered: 0, failed: 0 };
      if (r.status === 'delivered') o.delivered++;
      else o.failed++;
      outcomes.set(stepId, o);
    }
  }
  const treatment = outcome(0);
  const holdout = outcome(1);
  return {
    journeyId,
    entered: treatment.entered + holdout.entered,
    active: count((g) => g.state === 'active'),
    completed: count((g) => g.state === 'completed'),
    converted: count((g) => g.state === 'converted'),
    exited: count((g) => g.state === 'exited'),
    sent: act(null, 'sent'),
    steps: def.steps.map((s) => ({
      stepId: s.id,
      type: s.type,
      at: Number(at.find((a) => a.step_id === s.id)?.n ?? 0),
      entered: act(s.id, 'entered'),
      sent: act(s.id, 'sent'),
      suppressed: act(s.id, 'suppressed'),
      delivered: outcomes.get(s.id)?.delivered ?? 0,
      failed: outcomes.get(s.id)?.failed ?? 0,
    })),
    treatment,
    holdout,
    lift: liftOf(treatment, holdout),
  };
}
