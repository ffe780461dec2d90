// KPIs per bucket (and breakdown value): orders, revenue, AOV, customers, new vs returning customers,
// active profiles, conversion rate (customers / active), purchase frequency (orders / customers); totals
// over the whole range with the DAU/WAU/MAU averages and stickiness.
import { sql } from 'kysely';
import type { Db } from '../storage/index.js';
import { activity } from './activity-sql.js';
import { dayAligned, distinctDays, ordersPerBucket, peopleIn } from './counts-sql.js';
import { dayOf } from './profile-counts.js';
import { actives, engagementDays } from './engagement.js';
import type { KpiAnswer } from './query-schema.js';
import { bucketTable, groupOf, n, personJoins, profileOf, ratio, type Scope } from './scope.js';
import type { Bucket } from './time-buckets.js';

interface Row {
  i: number;
  grp: string | null;
  active: number;
  customers: number;
  orders: number;
  revenue: number;
  new_customers: number;
}

async function figures(db: Db, scope: Scope, bs: readonly Bucket[], breakdown: Scope['breakdown']) {
  const act = activity(bs, scope.lo, scope.hi, breakdown !== undefined);
  const rows = await sql<Row>`
    WITH ${bucketTable(bs)},
    fo AS (
      SELECT ${profileOf('p')} AS pid, MIN(p.first_order) AS first_order
      FROM analytics_people p LEFT JOIN identity_identifiers ii ON ii.key = p.person
      WHERE p.first_order IS NOT NULL GROUP BY ${profileOf('p')}),
    a AS (
      SELECT b.i AS i, ${groupOf('h', breakdown)} AS grp, ${profileOf('h')} AS pid,
        SUM(h.orders) AS orders, SUM(h.revenue) AS revenue
      FROM b JOIN ${act.relation} ON h.hour >= b.lo AND h.hour < b.hi
      ${personJoins('h', scope.segment)}
      GROUP BY b.i, ${breakdown ? sql`${groupOf('h', breakdown)}, ` : sql``}${profileOf('h')})
    SELECT a.i AS i, a.grp AS grp, COUNT(*) AS active,
      SUM(CASE WHEN a.orders > 0 THEN 1 ELSE 0 END) AS customers,
      SUM(a.orders) AS orders, SUM(a.revenue) AS revenue,
      SUM(CASE WHEN a.orders > 0 AND fo.first_order >= b.lo AND fo.first_order < b.hi THEN 1 ELSE 0 END) AS new_customers
    FROM a JOIN b ON b.i = a.i LEFT JOIN fo ON fo.pid = a.pid
    GROUP BY a.i, a.grp
    ORDER BY a.i, a.grp`.execute(db);
  return { source: act.source, rows: rows.rows };
}

function kpi(r: Row | undefined) {
  const orders = n(r?.orders);
  const revenue = n(r?.revenue);
  const customers = n(r?.customers);
  const newCustomers = n(r?.new_customers);
  const active = n(r?.active);
  return {
    orders,
    revenue: Math.round(revenue * 100) / 100,
    aov: ratio(revenue, orders),
    customers,
    newCustomers,
    returningCustomers: customers - newCustomers,
    activeUsers: active,
    conversionRate: ratio(customers, active),
    purchaseFrequency: ratio(orders, customers),
  };
}

/**
 * From the person-free rollups (counts-sql.ts) when every day involved is a whole UTC day and there is no
 * breakdown or segment: one read of the day counters serves the series, the totals and DAU/WAU/MAU.
 */
async function fromCounts(db: Db, scope: Scope, from: string, to: string): Promise<KpiAnswer | null> {
  const { days } = engagementDays(scope, from, to);
  if (scope.breakdown !== undefined || scope.segment !== undefined || !dayAligned(days) || !dayAligned(scope.buckets)) return null;
  const [g, c, money] = await Promise.all([
    distinctDays(db, 'G', dayOf(days[0].lo), dayOf(scope.hi) - 1),
    distinctDays(db, 'C', dayOf(scope.lo), dayOf(scope.hi) - 1),
    ordersPerBucket(db, scope.buckets),
  ]);
  const row = (i: number, b: Pick<Bucket, 'lo' | 'hi'>, m: { orders: number; revenue: number } | undefined): Row => {
    const p = peopleIn(g, c, b);
    return { i, grp: null, active: p.active, customers: p.customers, orders: m?.orders ?? 0, revenue: m?.revenue ?? 0, new_customers: p.newCustomers };
  };
  const series = scope.buckets.map((b, i) => row(i, b, money.get(i)));
  const total = { orders: series.reduce((s, r) => s + r.orders, 0), revenue: series.reduce((s, r) => s + r.revenue, 0) };
  const engaged = await actives(db, scope, from, to, g);
  return {
    timeZone: scope.timeZone,
    granularity: scope.granularity,
    breakdown: null,
    source: 'rollup',
    series: scope.buckets.map((b, i) => ({ start: b.start, group: null, ...kpi(series[i]) })),
    totals: { ...kpi(row(0, scope, total)), ...engaged.averages },
  };
}

export async function kpis(db: Db, scope: Scope, from: string, to: string): Promise<KpiAnswer> {
  const counted = await fromCounts(db, scope, from, to);
  if (counted) return counted;
  const series = await figures(db, scope, scope.buckets, scope.breakdown);
  const whole = await figures(db, scope, [{ start: scope.buckets[0].start, lo: scope.lo, hi: scope.hi }], undefined);
  const engaged = await actives(db, scope, from, to);
  return {
    timeZone: scope.timeZone,
    granularity: scope.granularity,
    breakdown: scope.breakdown ?? null,
    source: series.source,
    series: scope.breakdown
      ? series.rows.map((r) => ({ start: scope.buckets[Number(r.i)].start, group: r.grp, ...kpi(r) }))
      : scope.buckets.map((b, i) => ({ start: b.start, group: null, ...kpi(series.rows.find((r) => Number(r.i) === i)) })),
    totals: { ...kpi(whole.rows[0]), ...engaged.averages },
  };
}
