// Journey effect: per journey, the entries in the range split into the treated group and the holdout
// (drawn at entry, src/journeys/assign.ts), their conversion (goal reached) and revenue (the goal
// event's value), and treated minus holdout with Welch's 95 % interval for each difference of means —
// conversion as the mean of a 0/1 outcome, revenue per entry with 0 for those who did not convert.
import { sql } from 'kysely';
import { AppError } from '../shared/errors.js';
import type { Db } from '../storage/index.js';
import '../journeys/tables.js';
import type { JourneysAnswer } from './query-schema.js';
import { n, ratio, type Scope } from './scope.js';
import { welch, type Moments } from '../shared/stats/welch.js';

export async function journeyEffect(db: Db, scope: Scope, journeyId: string | undefined): Promise<JourneysAnswer> {
  let journeys = db.selectFrom('journeys').select(['id', 'name', 'status']).orderBy('name').orderBy('id');
  if (journeyId !== undefined) journeys = journeys.where('id', '=', journeyId);
  const list = await journeys.execute();
  if (journeyId !== undefined && list.length === 0) throw new AppError('unknown_journey', 422, `no journey with id ${journeyId}`, { field: 'journey' });

  let q = db
    .selectFrom('journey_enrollments as e')
    .select((eb) => [
      'e.journey_id',
      'e.holdout',
      eb.fn.countAll().as('people'),
      sql<number>`SUM(CASE WHEN e.state = 'converted' THEN 1 ELSE 0 END)`.as('converted'),
      sql<number>`SUM(COALESCE(e.revenue, 0))`.as('revenue'),
      sql<number>`SUM(COALESCE(e.revenue, 0) * COALESCE(e.revenue, 0))`.as('revenue2'),
    ])
    .where('e.entered_at', '>=', scope.lo)
    .where('e.entered_at', '<', scope.hi)
    .groupBy(['e.journey_id', 'e.holdout']);
  if (journeyId !== undefined) q = q.where('e.journey_id', '=', journeyId);
  if (scope.segment !== undefined) {
    const segment = scope.segment;
    q = q.innerJoin('segment_memberships as sm', (j) => j.onRef('sm.profile_id', '=', 'e.profile_id').on('sm.segment_id', '=', segment));
  }
  const rows = await q.execute();

  return {
    data: list.map((j) => {
      const group = (holdout: number) => {
        const r = rows.find((x) => x.journey_id === j.id && Number(x.holdout) === holdout);
        return { people: n(r?.people), converted: n(r?.converted), revenue: n(r?.revenue), revenue2: n(r?.revenue2) };
      };
      const t = group(0);
      const h = group(1);
      const shown = (g: typeof t) => ({
        people: g.people,
        converted: g.converted,
        conversionRate: ratio(g.converted, g.people),
        revenue: g.revenue,
        revenuePerPerson: ratio(g.revenue, g.people),
      });
      // A 0/1 outcome's sum of squares is its sum.
      const conversion = (g: typeof t): Moments => ({ n: g.people, sum: g.converted, sumSquares: g.converted });
      const revenue = (g: typeof t): Moments => ({ n: g.people, sum: g.revenue, sumSquares: g.revenue2 });
      return {
        journeyId: j.id,
        name: j.name,
        status: j.status,
        treated: shown(t),
        holdout: shown(h),
        conversion: welch(conversion(t), conversion(h)),
        revenuePerPerson: welch(revenue(t), revenue(h)),
      };
    }),
  };
}
