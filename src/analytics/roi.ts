// Spend and ROI: orders of the range attributed to the campaign touches (UTM parameters and click ids
// of page views, campaign_touches) of the same profile, next to the imported ad spend of the channel and
// campaign. ROAS = revenue / spend, ROI = (revenue − spend) / spend, CAC = spend / new customers.
// A touch's campaign matches a spend row by campaign id or name, case-insensitively.
import { sql } from 'kysely';
import type { Db } from '../storage/index.js';
import '../sources/ads/tables.js';
import { attribute, type Credit, type Order, type Touch } from './attribution.js';
import { cohortCte } from './cohorts.js';
import { NONE, ORDER_EVENT } from './facts.js';
import type { AttributionModel, RoiAnswer } from './query-schema.js';
import { n, personJoins, profileOf, ratio, type Scope } from './scope.js';
import { DAY_MS, localDate } from './time-buckets.js';

const round = (v: number) => Math.round(v * 100) / 100;

export async function roi(db: Db, scope: Scope, model: AttributionModel, lookbackDays: number): Promise<RoiAnswer> {
  const lookbackMs = lookbackDays * DAY_MS;
  const spendRows = await db
    .selectFrom('campaign_spend')
    .select(['channel', 'campaign_id', 'campaign_name', 'currency', sql<number>`SUM(cost_micros)`.as('micros')])
    .where('day', '>=', localDate(scope.lo, scope.timeZone))
    .where('day', '<=', localDate(scope.hi - 1, scope.timeZone))
    .groupBy(['channel', 'campaign_id', 'campaign_name', 'currency'])
    .execute();
  // A touch names its campaign by id or name: map both to the reported name.
  const campaignName = new Map<string, string>();
  for (const s of spendRows) {
    campaignName.set(`${s.channel}\u0000${s.campaign_id.toLowerCase()}`, s.campaign_name);
    campaignName.set(`${s.channel}\u0000${s.campaign_name.toLowerCase()}`, s.campaign_name);
  }
  const touchKey = sql`(CASE WHEN t.user_id IS NOT NULL THEN 'user_id:' || t.user_id ELSE 'anonymous_id:' || t.anonymous_id END)`;
  const member = scope.segment === undefined ? sql`` : sql`JOIN segment_memberships sm ON sm.profile_id = ii.profile_id AND sm.segment_id = ${scope.segment}`;
  const touches = await sql<{ pid: string; ts: number; channel: string | null; source: string | null; campaign: string | null }>`
    SELECT COALESCE(ii.profile_id, ${touchKey}) AS pid, t.ts AS ts, t.channel AS channel, t.utm_source AS source, t.utm_campaign AS campaign
    FROM campaign_touches t LEFT JOIN identity_identifiers ii ON ii.key = ${touchKey} ${member}
    WHERE t.ts >= ${scope.lo - lookbackMs} AND t.ts < ${scope.hi}
    ORDER BY t.ts, t.seq`.execute(db);
  const byProfile = new Map<string, Touch[]>();
  for (const t of touches.rows) {
    const channel = (t.channel ?? t.source ?? 'unknown').toLowerCase();
    const campaign = t.campaign ? (campaignName.get(`${channel}\u0000${t.campaign.toLowerCase()}`) ?? t.campaign) : NONE;
    (byProfile.get(t.pid) ?? byProfile.set(t.pid, []).get(t.pid)!).push({ ts: Number(t.ts), channel, campaign });
  }
  const orders = await sql<{ pid: string; ts: number; revenue: number | null; first_order: number | null }>`
    WITH ${cohortCte('first_order')}
    SELECT ${profileOf('f')} AS pid, f.ts AS ts, f.revenue AS revenue, fs.c AS first_order
    FROM analytics_events f ${personJoins('f', scope.segment)} LEFT JOIN fs ON fs.pid = ${profileOf('f')}
    WHERE f.name = ${ORDER_EVENT} AND f.ts >= ${scope.lo} AND f.ts < ${scope.hi}
    ORDER BY f.ts, f.seq`.execute(db);
  const ordersOf = new Map<string, Order[]>();
  for (const o of orders.rows)
    (ordersOf.get(o.pid) ?? ordersOf.set(o.pid, []).get(o.pid)!).push({ ts: Number(o.ts), revenue: n(o.revenue), first: o.first_order !== null && Number(o.first_order) === Number(o.ts) });
  const credit = new Map<string, Credit>();
  for (const [pid, os] of ordersOf) attribute(os, byProfile.get(pid) ?? [], model, lookbackMs, credit);

  const spendOf = new Map<string, number>();
  for (const s of spendRows) {
    const key = `${s.channel}\u0000${s.campaign_name}`;
    spendOf.set(key, (spendOf.get(key) ?? 0) + n(s.micros) / 1_000_000);
  }
  const figures = (spend: number, c: Pick<Credit, 'orders' | 'revenue' | 'newCustomers'>) => ({
    spend: round(spend),
    orders: round(c.orders),
    revenue: round(c.revenue),
    newCustomers: round(c.newCustomers),
    roas: ratio(c.revenue, spend),
    roi: ratio(c.revenue - spend, spend),
    cac: c.newCustomers > 0 ? spend / c.newCustomers : null,
  });
  const zero = { orders: 0, revenue: 0, newCustomers: 0 };
  const keys = [...new Set([...credit.keys(), ...spendOf.keys()])].sort();
  const campaigns = keys.map((k) => {
    const [channel, campaign] = k.split('\u0000');
    return { channel, campaign, ...figures(spendOf.get(k) ?? 0, credit.get(k) ?? zero) };
  });
  const channelTotals = new Map<string, { spend: number; orders: number; revenue: number; newCustomers: number }>();
  for (const k of keys) {
    const channel = k.split('\u0000')[0];
    const t = channelTotals.get(channel) ?? channelTotals.set(channel, { spend: 0, ...zero }).get(channel)!;
    const c = credit.get(k) ?? zero;
    t.spend += spendOf.get(k) ?? 0;
    t.orders += c.orders;
    t.revenue += c.revenue;
    t.newCustomers += c.newCustomers;
  }
  return {
    model,
    currencies: [...new Set(spendRows.map((s) => s.currency))].sort(),
    channels: [...channelTotals.entries()].map(([channel, t]) => ({ channel, ...figures(t.spend, t) })),
    campaigns,
  };
}
