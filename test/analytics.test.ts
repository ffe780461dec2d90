// Analytics through the public API on a small data set whose every figure is worked out by hand below:
// four people, fifteen events, two ad reports. The comments give the arithmetic each expectation
// comes from.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, track, type TestServer } from './helpers/server.js';
import { storesUnderTest } from './helpers/stores.js';

const SHOP = 'https://shop.example.com';
const page = (id: Record<string, string>, at: string, path: string, extra: { query?: string; referrer?: string } = {}) => ({
  type: 'page',
  ...id,
  timestamp: at,
  properties: { path, url: `${SHOP}${path}${extra.query ? '?' + extra.query : ''}`, ...(extra.referrer ? { referrer: extra.referrer } : {}) },
});
const ev = (id: Record<string, string>, at: string, event: string, properties: Record<string, unknown> = {}) => ({ type: 'track', ...id, timestamp: at, event, properties });

const u1 = { userId: 'u1' };
const u2 = { userId: 'u2' };
const u3 = { userId: 'u3' };
const a4 = { anonymousId: 'a4' };
const GOOGLE = 'utm_source=google&utm_campaign=spring_sale_search';
const META = 'utm_source=facebook&utm_campaign=Spring%20Sale%20-%20Prospecting';

// Sessions (30-minute rule) are named in the comments: A, B, C (u1), D, E (u2), S0, F, G (u3), H (a4).
const EVENTS = [
  page(u3, '2026-03-01T12:00:00Z', '/sale', { query: GOOGLE }), // S0: bounce
  page(u1, '2026-03-02T10:00:00Z', '/home', { query: GOOGLE }), // A
  ev(u1, '2026-03-02T10:05:00Z', 'Product Viewed', { category: 'shoes' }), // A (dwell on /home 300 s)
  ev(u1, '2026-03-02T10:10:00Z', 'Add to Cart'), // A
  ev(u1, '2026-03-02T10:20:00Z', 'Order Completed', { revenue: 100, category: 'shoes' }), // A ends (1,200 s)
  page(u1, '2026-03-02T11:00:00Z', '/blog'), // B: 40 min later, bounce
  page(u2, '2026-03-02T15:00:00Z', '/home', { referrer: 'https://news.example.org/a' }), // D
  ev(u2, '2026-03-02T15:01:00Z', 'Product Viewed', { category: 'bags' }), // D (dwell 60 s, 60 s long)
  ev(u2, '2026-03-02T15:45:00Z', 'Add to Cart'), // E: 44 min later, bounce
  page(a4, '2026-03-02T18:45:00Z', '/home'), // H: bounce; 02:45 on 03-03 in Taipei, 00:15 on 03-03 in Kolkata
  page(u3, '2026-03-03T01:00:00Z', '/landing', { query: META }), // F
  ev(u3, '2026-03-03T01:02:00Z', 'Product Viewed', { category: 'shoes' }), // F (dwell 120 s)
  ev(u3, '2026-03-03T03:00:00Z', 'Add to Cart'), // G: 118 min later
  ev(u3, '2026-03-03T03:10:00Z', 'Order Completed', { revenue: 80, category: 'shoes' }), // G (600 s)
  ev(u1, '2026-03-10T09:00:00Z', 'Order Completed', { revenue: 50, category: 'bags' }), // C: bounce
];

const META_REPORT = '"Reporting starts","Reporting ends","Campaign name","Campaign ID","Impressions","Link clicks","Amount spent (USD)"\n"2026-03-03","2026-03-03","Spring Sale - Prospecting","120208000000000001","1000","10","40.00"\n';
const GOOGLE_REPORT = 'Day,Campaign,Campaign ID,Currency code,Cost,Impr.,Clicks\n2026-03-02,spring_sale_search,20123456789,USD,60.00,500,20\n';

describe.each(storesUnderTest())('analytics API (%s)', (store) => {
  let server: TestServer;
  const get = async (path: string) => {
    const res = await server.admin(path);
    const body = await res.json();
    return { status: res.status, body };
  };
  const ok = async (path: string) => {
    const r = await get(path);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body;
  };
  const range = 'from=2026-03-01&to=2026-03-10';

  beforeAll(async () => {
    server = await startTestServer({ store });
    const source = await server.createSource('shop');
    const res = await track(server.url, source.writeKey, '/v1/batch', { batch: EVENTS });
    expect(res.status, await res.clone().text()).toBe(200);
    for (const [platform, csv] of [['meta', META_REPORT], ['google_ads', GOOGLE_REPORT]]) {
      const r = await server.admin(`/v1/ad-reports?platform=${platform}`, { method: 'POST', body: csv, headers: { 'content-type': 'text/csv' } });
      expect(r.status, await r.clone().text()).toBe(200);
    }
    await server.meridian.drainPipeline();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('KPIs per UTC day and in total', async () => {
    const body = await ok(`/v1/analytics/kpis?${range}`);
    expect(body.source).toBe('rollup');
    expect(body.series).toHaveLength(10);
    const day = (d: string) => body.series.find((s: { start: string }) => s.start === d);
    // 03-02: u1, u2 and a4 active; u1's first order (100).
    expect(day('2026-03-02')).toMatchObject({ activeUsers: 3, orders: 1, revenue: 100, customers: 1, newCustomers: 1, returningCustomers: 0 });
    // 03-10: u1 orders again (50): a returning customer.
    expect(day('2026-03-10')).toMatchObject({ activeUsers: 1, orders: 1, revenue: 50, customers: 1, newCustomers: 0, returningCustomers: 1 });
    expect(day('2026-03-05')).toMatchObject({ activeUsers: 0, orders: 0, aov: null, conversionRate: null });
    // Range: 3 orders, 230; customers u1 and u3 (both first orders in range) of 4 active; 3 / 2 orders each.
    const t = body.totals;
    expect(t).toMatchObject({ orders: 3, revenue: 230, customers: 2, newCustomers: 2, returningCustomers: 0, activeUsers: 4, conversionRate: 0.5, purchaseFrequency: 1.5 });
    expect(t.aov).toBeCloseTo(230 / 3, 6);
    // DAU per day 1,3,1,0,0,0,0,0,0,1 → 0.6; trailing-30-day actives 1, then 4 for nine days → 3.7;
    // trailing-7-day actives 1,4,4,4,4,4,4,4,1,1 → 3.1.
    expect(t.dau).toBeCloseTo(0.6, 9);
    expect(t.mau).toBeCloseTo(3.7, 9);
    expect(t.wau).toBeCloseTo(3.1, 9);
    expect(t.stickiness).toBeCloseTo(0.6 / 3.7, 9);
  });

  it('buckets days in the query time zone, exactly also for half-hour offsets', async () => {
    // Taipei (+8): u2's 15:00–15:45Z is still 03-02; a4's 18:45Z is 03-03 02:45.
    const taipei = await ok(`/v1/analytics/kpis?${range}&timeZone=Asia/Taipei`);
    expect(taipei.source).toBe('rollup');
    const at = (b: { series: { start: string; activeUsers: number }[] }, d: string) => b.series.find((s) => s.start === d)!.activeUsers;
    expect([at(taipei, '2026-03-02'), at(taipei, '2026-03-03')]).toEqual([2, 2]);
    // Kolkata (+5:30): a4 is 00:15 on 03-03, inside the UTC hour 18:00 that ends at 23:30 local — the
    // hourly rollup cannot say, so the event facts answer.
    const kolkata = await ok(`/v1/analytics/kpis?${range}&timeZone=Asia/Kolkata`);
    expect(kolkata.source).toBe('events');
    expect([at(kolkata, '2026-03-02'), at(kolkata, '2026-03-03')]).toEqual([2, 2]);
    expect(kolkata.totals).toMatchObject({ orders: 3, revenue: 230, activeUsers: 4 });
    // Weeks start on Monday: 02-23 (clipped to 03-01), 03-02, 03-09.
    const weeks = await ok(`/v1/analytics/kpis?${range}&granularity=week`);
    expect(weeks.series.map((s: { start: string; orders: number }) => [s.start, s.orders])).toEqual([
      ['2026-02-23', 0],
      ['2026-03-02', 2],
      ['2026-03-09', 1],
    ]);
  });

  it('breaks KPIs down by channel (last non-direct touch) and by product category', async () => {
    const byChannel = await ok(`/v1/analytics/kpis?${range}&granularity=month&breakdown=channel`);
    const rows = Object.fromEntries(byChannel.series.map((s: { group: string; orders: number; revenue: number }) => [s.group, [s.orders, s.revenue]]));
    // u1's orders follow its Google visit; u3's follows its Meta visit (the last touch before it).
    expect(rows).toMatchObject({ google_ads: [2, 150], meta: [1, 80], referral: [0, 0], '(direct)': [0, 0] });
    const byCategory = await ok(`/v1/analytics/kpis?${range}&granularity=month&breakdown=category`);
    const cats = Object.fromEntries(byCategory.series.map((s: { group: string; revenue: number }) => [s.group, s.revenue]));
    expect(cats).toMatchObject({ shoes: 180, bags: 50 });
  });

  it('funnel: per-step conversion and median time, with a conversion window and property filters', async () => {
    const steps = [{ event: 'Product Viewed' }, { event: 'Add to Cart' }, { event: 'Order Completed' }];
    const post = (body: object) => server.admin('/v1/analytics/funnels', { method: 'POST', body: JSON.stringify({ from: '2026-03-01', to: '2026-03-10', ...body }) });
    const res = await post({ steps, windowSeconds: 3600 });
    expect(res.status).toBe(200);
    const f = await res.json();
    // u1 views → cart 5 min → order 10 min; u2 views → cart 44 min; u3's cart is 118 min after the view: outside 1 h.
    expect(f.steps.map((s: { users: number }) => s.users)).toEqual([3, 2, 1]);
    expect(f.steps[1].conversionFromStart).toBeCloseTo(2 / 3, 9);
    expect(f.steps[2].conversionFromPrevious).toBeCloseTo(1 / 2, 9);
    expect(f.steps[1].medianSecondsFromPrevious).toBe((300 + 2640) / 2);
    expect(f.steps[2].medianSecondsFromPrevious).toBe(600);
    // With a 3 h window u3 converts too: 3, 3, 2.
    const wide = await (await post({ steps, windowSeconds: 3 * 3600 })).json();
    expect(wide.steps.map((s: { users: number }) => s.users)).toEqual([3, 3, 2]);
    // Shoes only: u1 and u3 start; only u1 reaches the cart within the hour.
    const shoes = await (await post({ steps: [{ event: 'Product Viewed', where: [{ property: 'category', op: 'eq', value: 'shoes' }] }, ...steps.slice(1)], windowSeconds: 3600 })).json();
    expect(shoes.steps.map((s: { users: number }) => s.users)).toEqual([2, 1, 1]);
    // Broken down by the category of the first step.
    const groups = await (await post({ steps, windowSeconds: 3600, breakdown: 'category' })).json();
    const g = Object.fromEntries(groups.groups.map((x: { group: string; steps: { users: number }[] }) => [x.group, x.steps.map((s) => s.users)]));
    expect(g).toEqual({ shoes: [2, 1, 1], bags: [1, 1, 0] });
  });

  it('retention table and LTV curve by first-seen week, and by first-order month', async () => {
    const r = await ok('/v1/analytics/retention?from=2026-03-01&to=2026-03-14&granularity=week');
    // Week of 02-23 (clipped to 03-01): u3, active again in the next week, where it spent 80.
    // Week of 03-02: u1, u2, a4; u1 returns the next week and spends 50 (100 in week 0).
    expect(r.cohorts).toHaveLength(2);
    expect(r.cohorts[0]).toMatchObject({ start: '2026-02-23', size: 1, retained: [1, 1, 0], revenuePerCustomer: [0, 80, 80] });
    expect(r.cohorts[1]).toMatchObject({ start: '2026-03-02', size: 3, retained: [3, 1] });
    expect(r.cohorts[1].retention[1]).toBeCloseTo(1 / 3, 9);
    expect(r.cohorts[1].revenuePerCustomer).toEqual([33.33, 50]);
    // LTV: period 0 over 4 people (0 + 100) → 25; period 1 (80 + 150) / 4 → 57.5; period 2 only u3's cohort → 80.
    expect(r.ltv.map((p: { revenuePerCustomer: number }) => p.revenuePerCustomer)).toEqual([25, 57.5, 80]);
    const byOrder = await ok('/v1/analytics/retention?from=2026-03-01&to=2026-03-31&granularity=month&cohort=first_order');
    expect(byOrder.cohorts).toEqual([{ start: '2026-03-01', size: 2, retained: [2], retention: [1], revenuePerCustomer: [115] }]);
  });

  it('payback per acquisition channel from its spend', async () => {
    const p = await ok('/v1/analytics/payback?from=2026-03-01&to=2026-03-31');
    const by = Object.fromEntries(p.data.map((c: { channel: string }) => [c.channel, c]));
    // u1 and u3 both first came through Google: 2 customers for 60 spent; 230 in their first month.
    expect(by.google_ads).toMatchObject({ spend: 60, customers: 2, cac: 30, paybackMonths: 0 });
    expect(by.google_ads.cumulativeRevenue[0]).toBe(230);
    expect(by.meta).toMatchObject({ spend: 40, customers: 0, cac: null, paybackMonths: null });
  });

  it('paths: the next step after page views, and what comes before an add to cart', async () => {
    const next = await ok(`/v1/analytics/paths?${range}&anchor=$pageview`);
    // /home→Product Viewed (u1, u2), /landing→Product Viewed (u3); /sale, /blog and a4's /home end their session.
    expect(next.data).toEqual([
      { step: '(end)', count: 3, share: 0.5 },
      { step: 'Product Viewed', count: 3, share: 0.5 },
    ]);
    const prev = await ok(`/v1/analytics/paths?${range}&anchor=Add%20to%20Cart&direction=previous`);
    expect(prev.data.map((d: { step: string; count: number }) => [d.step, d.count])).toEqual([
      ['(end)', 2],
      ['Product Viewed', 1],
    ]);
    const pages = await ok(`/v1/analytics/paths?${range}&anchor=/home&kind=pages`);
    expect(pages.occurrences).toBe(3);
  });

  it('web analytics: sessions split at 30 minutes, bounce, dwell, entry and exit pages, sources', async () => {
    const w = await ok(`/v1/analytics/web?${range}`);
    // Sessions A B C D E S0 F G H; bounces B C E S0 H; page views 6.
    expect(w).toMatchObject({ sessions: 9, pageviews: 6, bounceRate: 5 / 9 });
    // Lengths 1200 + 60 + 120 + 600 = 1980 s over 9 sessions; dwell (300 + 60 + 120) / 3.
    expect(w.avgSessionSeconds).toBeCloseTo(220, 9);
    expect(w.avgDwellSeconds).toBeCloseTo(160, 9);
    expect(w.entryPages[0]).toMatchObject({ path: '/home', sessions: 3 });
    expect(w.exitPages[0]).toEqual({ path: '/home', sessions: 3 });
    expect(w.pages.find((p: { path: string }) => p.path === '/home')).toEqual({ path: '/home', pageviews: 3, avgDwellSeconds: 180 });
    expect(w.referrers).toContainEqual({ referrer: 'news.example.org', sessions: 1, bounceRate: 0 });
    const camp = Object.fromEntries(w.campaigns.map((c: { channel: string; sessions: number }) => [c.channel, c.sessions]));
    expect(camp).toEqual({ google_ads: 4, meta: 2, referral: 2, '(direct)': 1 });
    // 03-02 (UTC): A B D E H; page views /home /blog /home /home; bounces B E H.
    expect(w.series.find((s: { start: string }) => s.start === '2026-03-02')).toEqual({ start: '2026-03-02', sessions: 5, pageviews: 4, bounces: 3 });
  });

  it('engagement: actives per day and key events per user', async () => {
    const e = await ok(`/v1/analytics/engagement?${range}&events=Product%20Viewed,Order%20Completed`);
    expect(e.days[1]).toEqual({ day: '2026-03-02', dau: 3, wau: 4, mau: 4, stickiness: 0.75 });
    expect(e.keyEvents).toEqual([
      { event: 'Product Viewed', count: 3, users: 3, perUser: 1 },
      { event: 'Order Completed', count: 3, users: 2, perUser: 1.5 },
    ]);
  });

  it('ROI, ROAS and CAC per channel under first-touch, last-touch and linear attribution', async () => {
    const ch = async (model: string) =>
      Object.fromEntries((await ok(`/v1/analytics/roi?${range}&model=${model}`)).channels.map((c: { channel: string }) => [c.channel, c]));
    // Last touch: u1's two orders to Google (150, one new customer), u3's to Meta (80).
    const last = await ch('last_touch');
    expect(last.google_ads).toMatchObject({ spend: 60, orders: 2, revenue: 150, newCustomers: 1, roas: 2.5, roi: 1.5, cac: 60 });
    expect(last.meta).toMatchObject({ spend: 40, orders: 1, revenue: 80, newCustomers: 1, roas: 2, roi: 1, cac: 40 });
    // First touch: u3 first came through Google on 03-01: all 230 to Google; Meta spent 40 for nothing.
    const first = await ch('first_touch');
    expect(first.google_ads).toMatchObject({ orders: 3, revenue: 230, newCustomers: 2, cac: 30 });
    expect(first.meta).toMatchObject({ orders: 0, revenue: 0, roas: 0, roi: -1, cac: null });
    // Linear: u3's order split in halves.
    const linear = await ch('linear');
    expect(linear.google_ads).toMatchObject({ orders: 2.5, revenue: 190, newCustomers: 1.5, cac: 40 });
    expect(linear.meta).toMatchObject({ orders: 0.5, revenue: 40, newCustomers: 0.5, cac: 80 });
    const campaigns = (await ok(`/v1/analytics/roi?${range}`)).campaigns;
    expect(campaigns).toContainEqual(expect.objectContaining({ channel: 'meta', campaign: 'Spring Sale - Prospecting', spend: 40, revenue: 80 }));
  });

  it('segment filter and RFM grid agree with the segment and the stored scores', async () => {
    const seg = await server.admin('/v1/segments', { method: 'POST', body: JSON.stringify({ name: 'buyers', rule: { version: 1, root: { type: 'event', event: 'Order Completed' } } }) });
    expect(seg.status, await seg.clone().text()).toBe(201);
    const { id } = await seg.json();
    await server.meridian.drainPipeline();
    const k = await ok(`/v1/analytics/kpis?${range}&segment=${id}`);
    expect(k.totals).toMatchObject({ activeUsers: 2, orders: 3, customers: 2, conversionRate: 1 });
    expect((await server.admin('/v1/rfm/recompute', { method: 'POST' })).status).toBe(200);
    const members = (await ok(`/v1/segments/${id}/members?limit=10`)).data as { profileId: string }[];
    const expected = new Map<string, { r: number; f: number; profiles: number; revenue: number }>();
    for (const m of members) {
      const s = await ok(`/v1/rfm/scores/${m.profileId}`);
      const key = `${s.rfm_r}:${s.rfm_f}`;
      const cell = expected.get(key) ?? { r: s.rfm_r, f: s.rfm_f, profiles: 0, revenue: 0 };
      cell.profiles++;
      cell.revenue += s.monetary;
      expected.set(key, cell);
    }
    const grid = await ok(`/v1/analytics/rfm-grid?segment=${id}`);
    expect(grid.profiles).toBe(2);
    expect(grid.revenue).toBe(230);
    expect(grid.cells).toEqual([...expected.values()].sort((a, b) => a.r - b.r || a.f - b.f));
  });

  it('refuses bad queries with clear errors', async () => {
    const code = async (path: string) => {
      const r = await get(path);
      return [r.status, r.body.error?.code, r.body.error?.message];
    };
    expect(await code('/v1/analytics/kpis?from=2026-02-30&to=2026-03-01')).toEqual([400, 'invalid_query', 'from "2026-02-30" is not a date (YYYY-MM-DD)']);
    expect((await code('/v1/analytics/kpis?from=2026-03-10&to=2026-03-01')).slice(0, 2)).toEqual([400, 'invalid_query']);
    expect((await code(`/v1/analytics/kpis?${range}&timeZone=Mars/Olympus`)).slice(0, 2)).toEqual([400, 'invalid_query']);
    expect((await code('/v1/analytics/kpis?from=2020-01-01&to=2026-03-01')).slice(0, 2)).toEqual([400, 'invalid_query']);
    expect((await code(`/v1/analytics/kpis?${range}&breakdown=planet`)).slice(0, 2)).toEqual([400, 'invalid_field']);
    expect((await code(`/v1/analytics/kpis?${range}&metric=x`)).slice(0, 2)).toEqual([400, 'invalid_field']);
    expect((await code(`/v1/analytics/kpis?${range}&segment=seg_nope`)).slice(0, 2)).toEqual([422, 'unknown_segment']);
    const res = await server.admin('/v1/analytics/funnels', { method: 'POST', body: JSON.stringify({ from: '2026-03-01', to: '2026-03-10', steps: [{ event: 'a' }, { event: 'b' }], windowSeconds: 100 * 86_400 }) });
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe('invalid_query');
    expect((await fetch(`${server.url}/v1/analytics/kpis?${range}`)).status).toBe(401);
  });
});
