// Retention and LTV by cohort: profiles grouped by the week or month of their first visit (or first
// order); for each later period, how many were active and their cumulative revenue per cohort member.
// Pure table building plus one grouped query over the rollup.
import { sql } from 'kysely';
import type { Db } from '../storage/index.js';
import { activity } from './activity-sql.js';
import { cohortsFromCounts, wholePeriods } from './counts-sql.js';
import type { RetentionAnswer } from './query-schema.js';
import { bucketTable, n, personJoins, profileOf, type Scope } from './scope.js';

export interface CohortCell {
  cohort: number;
  period: number;
  active: number;
  revenue: number;
}

/** The retention table from cohort sizes and (cohort, period) cells; periods after the range are absent. */
export function cohortTable(starts: readonly string[], sizes: ReadonlyMap<number, number>, cells: readonly CohortCell[]): RetentionAnswer['cohorts'] {
  return starts.flatMap((start, c) => {
    const size = sizes.get(c) ?? 0;
    if (size === 0) return [];
    const periods = starts.length - c;
    const retained = Array.from({ length: periods }, () => 0);
    const revenue = Array.from({ length: periods }, () => 0);
    for (const cell of cells)
      if (cell.cohort === c && cell.period - c >= 0 && cell.period - c < periods) {
        retained[cell.period - c] = cell.active;
        revenue[cell.period - c] = cell.revenue;
      }
    let cumulative = 0;
    return [
      {
        start,
        size,
        retained,
        retention: retained.map((r) => r / size),
        revenuePerCustomer: revenue.map((r) => Math.round(((cumulative += r) / size) * 100) / 100),
      },
    ];
  });
}

/** Cumulative revenue per customer by period, over the cohorts old enough to have reached each period. */
export function ltvCurve(cohorts: RetentionAnswer['cohorts']): RetentionAnswer['ltv'] {
  const longest = Math.max(0, ...cohorts.map((c) => c.revenuePerCustomer.length));
  return Array.from({ length: longest }, (_, period) => {
    const reached = cohorts.filter((c) => c.revenuePerCustomer.length > period);
    const customers = reached.reduce((s, c) => s + c.size, 0);
    const revenue = reached.reduce((s, c) => s + c.revenuePerCustomer[period] * c.size, 0);
    return { period, customers, revenuePerCustomer: customers === 0 ? 0 : Math.round((revenue / customers) * 100) / 100 };
  });
}

/** Each profile's cohort instant: its earliest first visit or first order over all its identifiers. */
export const cohortCte = (column: 'first_seen' | 'first_order') => sql`fs AS (
    SELECT ${profileOf('p')} AS pid, MIN(p.${sql.raw(column)}) AS c
    FROM analytics_people p LEFT JOIN identity_identifiers ii ON ii.key = p.person
    WHERE p.${sql.raw(column)} IS NOT NULL GROUP BY ${profileOf('p')})`;

export async function retention(db: Db, scope: Scope, cohort: 'first_seen' | 'first_order'): Promise<RetentionAnswer> {
  const starts = scope.buckets.map((b) => b.start);
  const periods = scope.segment === undefined ? wholePeriods(scope.buckets, scope.granularity) : null;
  if (periods) {
    const { sizes, cells } = await cohortsFromCounts(db, scope.buckets, periods, scope.granularity, cohort);
    const cohorts = cohortTable(starts, sizes, cells);
    return { cohort, granularity: scope.granularity, cohorts, ltv: ltvCurve(cohorts) };
  }
  const act = activity(scope.buckets, scope.lo, scope.hi);
  const member = scope.segment === undefined ? sql`` : sql`JOIN segment_memberships sm ON sm.profile_id = fs.pid AND sm.segment_id = ${scope.segment}`;
  const base = sql`${bucketTable(scope.buckets)}, ${cohortCte(cohort)},
    m AS (SELECT fs.pid AS pid, b.i AS cohort FROM fs JOIN b ON fs.c >= b.lo AND fs.c < b.hi ${member})`;
  const sizes = await sql<{ cohort: number; size: number }>`WITH ${base} SELECT cohort, COUNT(*) AS size FROM m GROUP BY cohort`.execute(db);
  const cells = await sql<{ cohort: number; period: number; active: number; revenue: number }>`
    WITH ${base},
    a AS (
      SELECT ${profileOf('h')} AS pid, b.i AS period, SUM(h.revenue) AS revenue
      FROM b JOIN ${act.relation} ON h.hour >= b.lo AND h.hour < b.hi ${personJoins('h', undefined)}
      GROUP BY ${profileOf('h')}, b.i)
    SELECT m.cohort AS cohort, a.period AS period, COUNT(*) AS active, SUM(a.revenue) AS revenue
    FROM m JOIN a ON a.pid = m.pid GROUP BY m.cohort, a.period`.execute(db);
  const cohorts = cohortTable(
    starts,
    new Map(sizes.rows.map((r) => [Number(r.cohort), n(r.size)])),
    cells.rows.map((r) => ({ cohort: Number(r.cohort), period: Number(r.period), active: n(r.active), revenue: n(r.revenue) })),
  );
  return { cohort, granularity: scope.granularity, cohorts, ltv: ltvCurve(cohorts) };
}
