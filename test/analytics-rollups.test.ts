// The person-free rollups behind the dashboard queries (analytics_dims, analytics_counts) stay exact
// through identity merges and data-subject deletes: three visitors, a merge that makes two of them one
// person, then the delete of another. Every figure is worked out in the comments; the counters answer
// UTC queries on whole days/weeks, the per-person rollup answers Asia/Taipei, and both must agree.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, track, type TestServer } from './helpers/server.js';
import { storesUnderTest } from './helpers/stores.js';
import { adminApi } from './helpers/admin-api.js';
import { eventually } from './helpers/eventually.js';

const EVENTS = [
  { type: 'page', anonymousId: 'a1', timestamp: '2026-03-02T10:00:00Z', properties: { path: '/' } },
  { type: 'page', userId: 'u2', timestamp: '2026-03-02T12:00:00Z', properties: { path: '/' } },
  { type: 'track', userId: 'u1', timestamp: '2026-03-03T09:00:00Z', event: 'Order Completed', properties: { revenue: 40 } },
  { type: 'track', userId: 'u2', timestamp: '2026-03-09T12:00:00Z', event: 'Order Completed', properties: { revenue: 10 } },
];
// Monday 03-02 to Sunday 03-15: two whole ISO weeks.
const RANGE = 'from=2026-03-02&to=2026-03-15';

describe.each(storesUnderTest())('analytics rollups through merges and deletes (%s)', (store) => {
  let server: TestServer;
  let writeKey: string;
  const { call, get } = adminApi(() => server);
  const ok = async (path: string) => {
    const r = await get(path);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body;
  };
  const figures = async () => {
    const days = await ok(`/v1/analytics/kpis?${RANGE}`);
    const weeks = await ok(`/v1/analytics/kpis?${RANGE}&granularity=week`);
    const taipei = await ok(`/v1/analytics/kpis?${RANGE}&timeZone=Asia/Taipei`);
    const cohorts = await ok(`/v1/analytics/retention?${RANGE}&granularity=week`);
    const engagement = await ok(`/v1/analytics/engagement?${RANGE}`);
    const pick = (t: Record<string, number>) => [t.activeUsers, t.customers, t.newCustomers, t.orders, t.revenue];
    return {
      totals: pick(days.totals),
      taipei: pick(taipei.totals),
      active: days.series.map((s: { activeUsers: number }) => s.activeUsers).slice(0, 8),
      weeks: weeks.series.map((s: Record<string, number>) => pick(s)),
      cohorts: cohorts.cohorts.map((c: { start: string; size: number; retained: number[]; revenuePerCustomer: number[] }) => [c.start, c.size, c.retained, c.revenuePerCustomer]),
      mau: engagement.days.at(-1).mau,
    };
  };

  beforeAll(async () => {
    server = await startTestServer({ store });
    writeKey = (await server.createSource('shop')).writeKey;
    expect((await track(server.url, writeKey, '/v1/batch', { batch: EVENTS })).status).toBe(200);
    await server.meridian.drainPipeline();
  });
  afterAll(() => server?.close());

  it('counts three visitors before any merge', async () => {
    const f = await figures();
    // Active a1, u2, u1; customers u1 (03-03) and u2 (03-09), both first orders; 2 orders, 50.
    expect(f.totals).toEqual([3, 2, 2, 2, 50]);
    expect(f.taipei).toEqual(f.totals);
    // 03-02: a1 and u2; 03-03: u1; then nobody until u2 on 03-09.
    expect(f.active).toEqual([2, 1, 0, 0, 0, 0, 0, 1]);
    // Week 03-02: three active, u1's order; week 03-09: u2's order (its first: new).
    expect(f.weeks).toEqual([
      [3, 1, 1, 1, 40],
      [1, 1, 1, 1, 10],
    ]);
    // All three first seen in week 03-02; u2 comes back; revenue 40 then 10 over 3 members.
    expect(f.cohorts).toEqual([['2026-03-02', 3, [3, 1], [13.33, 16.67]]]);
    expect(f.mau).toBe(3);
  });

  it('counts a merged person once: a1 identifies as u1', async () => {
    expect((await track(server.url, writeKey, '/v1/identify', { userId: 'u1', anonymousId: 'a1' })).status).toBe(200);
    await server.meridian.drainPipeline();
    const f = await figures();
    // a1 + u1 are one profile: 2 active over the range, the same customers and orders.
    expect(f.totals).toEqual([2, 2, 2, 2, 50]);
    expect(f.taipei).toEqual(f.totals);
    // Days keep their counts (a1 and u1 were active on different days); week 03-02 now has 2.
    expect(f.active).toEqual([2, 1, 0, 0, 0, 0, 0, 1]);
    expect(f.weeks).toEqual([
      [2, 1, 1, 1, 40],
      [1, 1, 1, 1, 10],
    ]);
    expect(f.cohorts).toEqual([['2026-03-02', 2, [2, 1], [20, 25]]]);
    expect(f.mau).toBe(2);
  });

  it("removes a deleted person's contributions from every rollup", async () => {
    const filed = await call('POST', '/v1/privacy/requests', { kind: 'delete', identifier: { type: 'user_id', value: 'u2' } });
    expect(filed.status, JSON.stringify(filed.body)).toBeLessThan(300);
    await eventually(async () => expect((await get(`/v1/privacy/requests/${filed.body.id}`)).body.status).toBe('completed'), 60_000, 100);
    const f = await figures();
    // Only a1 + u1 remain: one active profile, one order of 40.
    expect(f.totals).toEqual([1, 1, 1, 1, 40]);
    expect(f.taipei).toEqual(f.totals);
    expect(f.active).toEqual([1, 1, 0, 0, 0, 0, 0, 0]);
    expect(f.weeks).toEqual([
      [1, 1, 1, 1, 40],
      [0, 0, 0, 0, 0],
    ]);
    expect(f.cohorts).toEqual([['2026-03-02', 1, [1, 0], [40, 40]]]);
    expect(f.mau).toBe(1);
  });
});
