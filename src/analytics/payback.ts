// Payback per acquisition channel: the profiles whose first order falls in the range, grouped by the
// channel of their first visit; the channel's spend over the range (imported ad reports) against their
// cumulative revenue month by month since their first order. CAC = spend / customers.
import { sql } from 'kysely';
import type { Db } from '../storage/index.js';
import '../sources/ads/tables.js';
import { cohortCte } from './cohorts.js';
import type { PaybackAnswer } from './query-schema.js';
import { n, personJoins, profileOf, ratio, type Scope } from './scope.js';
import { localDate } from './time-buckets.js';

const MONTH_MS = 30 * 86_400_000;

/** The first month (0-based) whose cumulative revenue reaches the spend. Pure. */
export const paybackMonth = (cumulative: readonly number[], spend: number) => {
  const i = cumulative.findIndex((r) => r >= spend);
  return spend > 0 && i >= 0 ? i : null;
};

export async function payback(db: Db, scope: Scope, now: number): Promise<PaybackAnswer> {
  const member = scope.segment === undefined ? sql`` : sql`JOIN segment_memberships sm ON sm.profile_id = fs.pid AND sm.segment_id = ${scope.segment}`;
  // The acquisition channel: first_channel of the profile's earliest identifier.
  const customers = await sql<{ pid: string; c: number; channel: string }>`
    WITH ${cohortCte('first_order')},
    ch AS (
      SELECT ${profileOf('p')} AS pid, p.first_channel AS channel,
        ROW_NUMBER() OVER (PARTITION BY ${profileOf('p')} ORDER BY p.first_seen, p.person) AS k
      FROM analytics_people p LEFT JOIN identity_identifiers ii ON ii.key = p.person)
    SELECT fs.pid AS pid, fs.c AS c, ch.channel AS channel
    FROM fs JOIN ch ON ch.pid = fs.pid AND ch.k = 1 ${member}
    WHERE fs.c >= ${scope.lo} AND fs.c < ${scope.hi}`.execute(db);
  const start = new Map(customers.rows.map((r) => [r.pid, { c: Number(r.c), channel: r.channel }]));
  const months = Math.max(1, Math.ceil((Math.max(now, scope.hi) - scope.lo) / MONTH_MS));
  const orders = await sql<{ pid: string; ts: number; revenue: number }>`
    SELECT ${profileOf('f')} AS pid, f.ts AS ts, COALESCE(f.revenue, 0) AS revenue
    FROM analytics_events f ${personJoins('f', undefined)}
    WHERE f.name = 'Order Completed' AND f.ts >= ${scope.lo}`.execute(db);
  const byChannel = new Map<string, { customers: number; revenue: number[] }>();
  for (const { channel } of start.values()) {
    const ch = byChannel.get(channel) ?? byChannel.set(channel, { customers: 0, revenue: Array.from({ length: months }, () => 0) }).get(channel)!;
    ch.customers++;
  }
  for (const o of orders.rows) {
    const s = start.get(o.pid);
    if (!s || Number(o.ts) < s.c) continue;
    const m = Math.floor((Number(o.ts) - s.c) / MONTH_MS);
    if (m < months) byChannel.get(s.channel)!.revenue[m] += n(o.revenue);
  }
  const spend = await db
    .selectFrom('campaign_spend')
    .select(['channel', sql<number>`SUM(cost_micros)`.as('micros')])
    .where('day', '>=', localDate(scope.lo, scope.timeZone))
    .where('day', '<=', localDate(scope.hi - 1, scope.timeZone))
    .groupBy('channel')
    .execute();
  const spendOf = new Map(spend.map((s) => [s.channel, n(s.micros) / 1_000_000]));
  const channels = new Set([...byChannel.keys(), ...spendOf.keys()]);
  return {
    data: [...channels].sort().map((channel) => {
      const c = byChannel.get(channel) ?? { customers: 0, revenue: Array.from({ length: months }, () => 0) };
      let sum = 0;
      const cumulativeRevenue = c.revenue.map((r) => Math.round((sum += r) * 100) / 100);
      const cost = spendOf.get(channel) ?? 0;
      return { channel, spend: cost, customers: c.customers, cac: ratio(cost, c.customers), cumulativeRevenue, paybackMonths: paybackMonth(cumulativeRevenue, cost) };
    }),
  };
}
