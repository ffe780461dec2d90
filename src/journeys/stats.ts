// Journey reporting: people per state and per step, sends, delivery outcomes per step (one GROUP BY
// over the outbox's journey rows), conversions, and the holdout comparison — conversion rate and
// revenue per person, treatment minus holdout, with Welch's 95 % interval (shared/stats/welch.ts, the
// same interval GET /v1/analytics/journeys gives for the same entries).
import { sql } from 'kysely';
import { welch, type Moments } from '../shared/stats/welch.js';
import type { Db } from '../storage/index.js';
import type { JourneyDefinition, JourneyStats } from './schema.js';

type Outcome = JourneyStats['treatment'];

export async function journeyStats(db: Db, journeyId: string, def: JourneyDefinition): Promise<JourneyStats> {
  const groups = await db
    .selectFrom('journey_enrollments')
    .select((eb) => ['state', 'holdout', eb.fn.countAll().as('n'), eb.fn.sum('revenue').as('revenue'), sql<number>`SUM(COALESCE(revenue, 0) * COALESCE(revenue, 0))`.as('revenue2')])
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
  // Delivery outcomes of the sends, counted by the store (the outbox rows name their journey and step).
  const outcomes = await db
    .selectFrom('deliveries')
    .select((eb) => ['journey_step', 'status', eb.fn.countAll().as('n')])
    .where('journey_id', '=', journeyId)
    .where('status', 'in', ['delivered', 'dead'])
    .groupBy(['journey_step', 'status'])
    .execute();
  const outcomeOf = (stepId: string, status: 'delivered' | 'dead') => Number(outcomes.find((o) => o.journey_step === stepId && o.status === status)?.n ?? 0);
  // Per group: conversion as the mean of a 0/1 outcome (its sum of squares is its sum), revenue with 0 for those who did not convert.
  const moments = (holdout: number) => {
    const mine = groups.filter((g) => Number(g.holdout) === holdout);
    const n = mine.reduce((s, g) => s + Number(g.n), 0);
    const converted = mine.filter((g) => g.state === 'converted').reduce((s, g) => s + Number(g.n), 0);
    const conversion: Moments = { n, sum: converted, sumSquares: converted };
    const revenue: Moments = { n, sum: mine.reduce((s, g) => s + Number(g.revenue ?? 0), 0), sumSquares: mine.reduce((s, g) => s + Number(g.revenue2 ?? 0), 0) };
    return { conversion, revenue };
  };
  const [mt, mh] = [moments(0), moments(1)];
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
      delivered: outcomeOf(s.id, 'delivered'),
      failed: outcomeOf(s.id, 'dead'),
    })),
    treatment,
    holdout,
    lift: { conversion: welch(mt.conversion, mh.conversion), revenuePerPerson: welch(mt.revenue, mh.revenue) },
  };
}
