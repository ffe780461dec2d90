// Journey effect through the public API: 30 shoppers enter a journey with a 50 % holdout; chosen ones
// then buy (the journey's goal) for known amounts. GET /v1/analytics/journeys must give each group's
// conversion and revenue and treated minus holdout with Welch's 95 % interval, worked out here from the
// enrollments the API lists; an unknown journey filter is a 422.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, track, type TestServer } from './helpers/server.js';
import { storesUnderTest } from './helpers/stores.js';
import { ManualClock } from '../src/shared/clock.js';
import { incompleteBeta, studentTQuantile } from '../src/shared/stats/welch.js';

const PEOPLE = 30;
/** Shopper i buys when i % 3 !== 0 (treated) or i % 3 === 1 (holdout), for 10·(1 + i % 4). */
const buys = (i: number, holdout: boolean) => (holdout ? i % 3 === 1 : i % 3 !== 0);
const amount = (i: number) => 10 * (1 + (i % 4));

describe('Student t and the incomplete beta (against tables)', () => {
  it('gives the textbook 97.5 % quantiles and I_x(a, b) closed forms', () => {
    expect(studentTQuantile(0.975, 1)).toBeCloseTo(12.7062047, 6);
    expect(studentTQuantile(0.975, 5)).toBeCloseTo(2.5705818, 6);
    expect(studentTQuantile(0.975, 10)).toBeCloseTo(2.2281389, 6);
    expect(studentTQuantile(0.975, 30)).toBeCloseTo(2.0422725, 6);
    expect(studentTQuantile(0.975, 1e7)).toBeCloseTo(1.959964, 5);
    expect(studentTQuantile(0.025, 5)).toBeCloseTo(-2.5705818, 6);
    // I_x(1, b) = 1 − (1 − x)^b and I_x(a, 1) = x^a.
    expect(incompleteBeta(0.3, 1, 2.5)).toBeCloseTo(1 - 0.7 ** 2.5, 12);
    expect(incompleteBeta(0.8, 3.5, 1)).toBeCloseTo(0.8 ** 3.5, 12);
  });
});

describe.each(storesUnderTest())('journey effect (%s)', (store) => {
  let server: TestServer;
  let journeyId: string;
  let other: string;
  let holdoutOf: Map<string, boolean>;
  const api = async (path: string, method = 'GET', body?: unknown) => {
    const res = await server.admin(path, { method, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    return { status: res.status, body: await res.json() };
  };
  const journey = async (name: string, holdoutPercent: number) => {
    const definition = {
      version: 1,
      trigger: { type: 'event', event: 'Product Added' },
      steps: [
        { id: 'wait', type: 'wait', duration: { amount: 2, unit: 'days' }, next: 'end' },
        { id: 'end', type: 'exit' },
      ],
      rules: { goal: { event: 'Order Completed' }, holdoutPercent },
    };
    const c = await api('/v1/journeys', 'POST', { name, definition });
    expect(c.status, JSON.stringify(c.body)).toBe(201);
    const a = await api(`/v1/journeys/${c.body.id}/activate`, 'POST');
    expect(a.status, JSON.stringify(a.body)).toBe(200);
    return c.body.id as string;
  };

  beforeAll(async () => {
    const clock = new ManualClock(Date.parse('2026-03-02T10:00:00Z'));
    server = await startTestServer({ store, clock });
    journeyId = await journey('Cart reminder', 50);
    other = await journey('Untouched', 0);
    const { writeKey } = await server.createSource();
    const send = async (path: string, body: Record<string, unknown>) => {
      const res = await track(server.url, writeKey, path, { timestamp: new Date(clock.now()).toISOString(), ...body });
      expect(res.status).toBe(200);
    };
    for (let i = 0; i < PEOPLE; i++) await send('/v1/track', { userId: `s${i}`, event: 'Product Added', properties: { product_id: 'p1' } });
    await server.meridian.drainPipeline();
    const listed = await api(`/v1/journeys/${journeyId}/enrollments?limit=100`);
    expect(listed.status).toBe(200);
    const enrollments = listed.body.data as { profileId: string; holdout: boolean }[];
    expect(enrollments).toHaveLength(PEOPLE);
    holdoutOf = new Map(enrollments.map((e) => [e.profileId, e.holdout]));
    clock.advance(3_600_000);
    // Who buys depends on the group, so the two groups convert differently.
    const profiles = await Promise.all(
      Array.from({ length: PEOPLE }, async (_, i) => ((await api(`/v1/profiles/user_id/s${i}`)).body as { id: string }).id),
    );
    for (let i = 0; i < PEOPLE; i++)
      if (buys(i, holdoutOf.get(profiles[i])!)) await send('/v1/track', { userId: `s${i}`, event: 'Order Completed', properties: { order_id: `o${i}`, revenue: amount(i) } });
    await server.meridian.drainPipeline();
    holdoutOf = new Map(profiles.map((p, i) => [`s${i}`, holdoutOf.get(p)!]));
  }, 60_000);
  afterAll(async () => {
    await server?.close();
  });

  it('gives each group’s conversion and revenue and the Welch interval of each difference', async () => {
    const r = await api(`/v1/analytics/journeys?from=2026-03-01&to=2026-03-03&journey=${journeyId}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.data).toHaveLength(1);
    const row = r.body.data[0];
    expect(row).toMatchObject({ journeyId, name: 'Cart reminder', status: 'active' });

    // The expected figures from the assignment the enrollments API showed.
    const group = (holdout: boolean) => {
      const ids = Array.from({ length: PEOPLE }, (_, i) => i).filter((i) => holdoutOf.get(`s${i}`) === holdout);
      const converted = ids.map((i) => (buys(i, holdout) ? 1 : 0));
      const revenue = ids.map((i) => (buys(i, holdout) ? amount(i) : 0));
      return { people: ids.length, converted, revenue };
    };
    const t = group(false);
    const h = group(true);
    expect(t.people).toBeGreaterThanOrEqual(2);
    expect(h.people).toBeGreaterThanOrEqual(2);
    const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
    for (const [got, g] of [[row.treated, t], [row.holdout, h]] as const) {
      expect(got.people).toBe(g.people);
      expect(got.converted).toBe(sum(g.converted));
      expect(got.conversionRate).toBeCloseTo(sum(g.converted) / g.people, 12);
      expect(got.revenue).toBeCloseTo(sum(g.revenue), 9);
      expect(got.revenuePerPerson).toBeCloseTo(sum(g.revenue) / g.people, 9);
    }
    // Welch by its definition: s²/n per group, Welch–Satterthwaite df, t(0.975, df).
    const welch = (a: number[], b: number[]) => {
      const mean = (xs: number[]) => sum(xs) / xs.length;
      const v = (xs: number[]) => sum(xs.map((x) => (x - mean(xs)) ** 2)) / (xs.length - 1) / xs.length;
      const df = (v(a) + v(b)) ** 2 / (v(a) ** 2 / (a.length - 1) + v(b) ** 2 / (b.length - 1));
      const d = mean(a) - mean(b);
      const half = studentTQuantile(0.975, df) * Math.sqrt(v(a) + v(b));
      return { d, df, lo: d - half, hi: d + half };
    };
    for (const [got, w] of [[row.conversion, welch(t.converted, h.converted)], [row.revenuePerPerson, welch(t.revenue, h.revenue)]] as const) {
      expect(got.difference).toBeCloseTo(w.d, 9);
      expect(got.df).toBeCloseTo(w.df, 6);
      expect(got.ci95[0]).toBeCloseTo(w.lo, 6);
      expect(got.ci95[1]).toBeCloseTo(w.hi, 6);
      expect(got.ci95[0]).toBeLessThan(got.difference);
    }
  });

  it('gives the same treated-minus-holdout intervals in the journey stats as in the journey effect', async () => {
    const effect = (await api(`/v1/analytics/journeys?from=2026-03-01&to=2026-03-03&journey=${journeyId}`)).body.data[0];
    const stats = await api(`/v1/journeys/${journeyId}/stats`);
    expect(stats.status).toBe(200);
    expect(stats.body.treatment).toMatchObject({ entered: effect.treated.people, converted: effect.treated.converted });
    expect(stats.body.holdout).toMatchObject({ entered: effect.holdout.people, converted: effect.holdout.converted });
    expect(stats.body.lift.conversion.ci95).not.toBeNull();
    expect(stats.body.lift).toEqual({ conversion: effect.conversion, revenuePerPerson: effect.revenuePerPerson });
    // No holdout: no difference to give.
    expect((await api(`/v1/journeys/${other}/stats`)).body.lift).toEqual({ conversion: null, revenuePerPerson: null });
  });

  it('lists every journey; one without a holdout has no difference, a range without entries has zeros', async () => {
    const all = await api('/v1/analytics/journeys?from=2026-03-01&to=2026-03-03');
    expect(all.status).toBe(200);
    expect(all.body.data.map((j: { name: string }) => j.name)).toEqual(['Cart reminder', 'Untouched']);
    const untouched = all.body.data[1];
    expect(untouched.journeyId).toBe(other);
    expect(untouched.treated.people).toBe(PEOPLE);
    expect(untouched.holdout).toEqual({ people: 0, converted: 0, conversionRate: null, revenue: 0, revenuePerPerson: null });
    expect(untouched.conversion).toBeNull();
    expect(untouched.revenuePerPerson).toBeNull();
    const before = await api(`/v1/analytics/journeys?from=2026-02-01&to=2026-02-28&journey=${journeyId}`);
    expect(before.body.data[0].treated.people).toBe(0);
    expect(before.body.data[0].conversion).toBeNull();
  });

  it('refuses an unknown journey, a bad range and an unknown segment, and needs a key', async () => {
    const bad = await api('/v1/analytics/journeys?from=2026-03-01&to=2026-03-03&journey=jrn_nope');
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe('unknown_journey');
    expect(bad.body.error.message).toContain('jrn_nope');
    expect((await api('/v1/analytics/journeys?from=2026-03-04&to=2026-03-03')).body.error.code).toBe('invalid_query');
    expect((await api('/v1/analytics/journeys?from=2026-03-01&to=2026-03-03&segment=seg_nope')).status).toBe(422);
    expect((await fetch(`${server.url}/v1/analytics/journeys?from=2026-03-01&to=2026-03-03`)).status).toBe(401);
  });
});
