// The pure parts of analytics: funnel matching, sessions, attribution shares, trailing actives, cohorts.
import { describe, expect, it } from 'vitest';
import { attribute, shares, type Credit } from './attribution.js';
import { cohortTable, ltvCurve } from './cohorts.js';
import { trailingActives } from './engagement.js';
import { factOf } from './facts.js';
import { bestConversion, median } from './funnel-core.js';
import { paybackMonth } from './payback.js';
import { sessionize, type SessionEvent } from './sessions.js';

const MIN = 60_000;

describe('funnel matching', () => {
  it('takes the attempt that gets furthest, and one event never fills two steps', () => {
    const hits = [
      { step: 0, ts: 0, seq: 1 },
      { step: 0, ts: 20 * MIN, seq: 2 },
      { step: 1, ts: 70 * MIN, seq: 3 },
    ];
    // From the first start the window (60 min) closes before 70; from the second it reaches step 2.
    expect(bestConversion(hits, 2, 60 * MIN, 0, 100 * MIN)).toMatchObject({ times: [20 * MIN, 70 * MIN] });
    expect(bestConversion(hits, 2, 60 * MIN, 5 * MIN, 6 * MIN)).toBeNull();
    // A funnel A → A needs two events: the start cannot also be the next step.
    const same = [
      { step: 0, ts: 0, seq: 1 },
      { step: 1, ts: 0, seq: 1 },
    ];
    expect(bestConversion(same, 2, 60 * MIN, 0, 100 * MIN)).toMatchObject({ times: [0] });
    expect(median([5, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNull();
  });
});

describe('sessions', () => {
  const e = (min: number, name = '$pageview', path: string | null = '/p'): SessionEvent => ({ ts: min * MIN, name, path, referrer: null, channel: '(direct)', campaign: '(none)' });
  it('splits after more than 30 minutes of inactivity, not at exactly 30', () => {
    const s = sessionize([e(0), e(30), e(61)], '$pageview');
    expect(s.map((x) => x.events)).toEqual([2, 1]);
    expect(s[0].dwell).toEqual([['/p', 1800]]);
  });
  it('a session of one event is a bounce; track events count but are no page', () => {
    const [s] = sessionize([e(0, 'Signed Up', null)], '$pageview');
    expect(s).toMatchObject({ events: 1, pageviews: 0, entry: null, exit: null });
  });
});

describe('attribution', () => {
  const t = (ts: number, channel: string) => ({ ts, channel, campaign: '(none)' });
  const touches = [t(1, 'a'), t(2, 'b'), t(3, 'c'), t(10, 'late')];
  it('first, last and linear shares within the lookback window; none → direct', () => {
    expect(shares(touches, 5, 'first_touch', 10).map(([x, w]) => [x.channel, w])).toEqual([['a', 1]]);
    expect(shares(touches, 5, 'last_touch', 10).map(([x, w]) => [x.channel, w])).toEqual([['c', 1]]);
    expect(shares(touches, 5, 'linear', 10).map(([x, w]) => [x.channel, w])).toEqual([['a', 1 / 3], ['b', 1 / 3], ['c', 1 / 3]]);
    expect(shares(touches, 5, 'linear', 3).map(([x]) => x.channel)).toEqual(['b', 'c']);
    expect(shares([], 5, 'last_touch', 3)[0][0].channel).toBe('(direct)');
  });
  it('credits revenue and new customers by share', () => {
    const into = new Map<string, Credit>();
    attribute([{ ts: 5, revenue: 90, first: true }], touches, 'linear', 10, into);
    expect([...into.values()].map((c) => [c.channel, c.revenue, c.newCustomers])).toEqual([
      ['a', 30, 1 / 3],
      ['b', 30, 1 / 3],
      ['c', 30, 1 / 3],
    ]);
  });
});

describe('trailing actives and cohorts', () => {
  it('counts distinct profiles over 7 and 30 days ending each day', () => {
    const pairs = [
      { day: 0, profile: 'x' },
      { day: 0, profile: 'y' },
      { day: 6, profile: 'x' },
      { day: 8, profile: 'z' },
    ];
    const out = trailingActives(pairs, 29, 29 + 0).length;
    expect(out).toBe(1);
    const days = trailingActives(pairs, 0, 8);
    expect(days.map((d) => d.dau)).toEqual([2, 0, 0, 0, 0, 0, 1, 0, 1]);
    expect(days.map((d) => d.wau)).toEqual([2, 2, 2, 2, 2, 2, 2, 1, 2]);
    expect(days.map((d) => d.mau)).toEqual([2, 2, 2, 2, 2, 2, 2, 2, 3]);
  });
  it('builds the retention table and the LTV curve', () => {
    const cohorts = cohortTable(['w0', 'w1'], new Map([[0, 2], [1, 1]]), [
      { cohort: 0, period: 0, active: 2, revenue: 10 },
      { cohort: 0, period: 1, active: 1, revenue: 30 },
      { cohort: 1, period: 1, active: 1, revenue: 5 },
    ]);
    expect(cohorts).toEqual([
      { start: 'w0', size: 2, retained: [2, 1], retention: [1, 0.5], revenuePerCustomer: [5, 20] },
      { start: 'w1', size: 1, retained: [1], retention: [1], revenuePerCustomer: [5] },
    ]);
    expect(ltvCurve(cohorts)).toEqual([
      { period: 0, customers: 3, revenuePerCustomer: 5 },
      { period: 1, customers: 2, revenuePerCustomer: 20 },
    ]);
    expect(paybackMonth([5, 20, 40], 20)).toBe(1);
    expect(paybackMonth([5], 20)).toBeNull();
  });
});

describe('event facts', () => {
  it('stamps later events with the last touch for 30 days and keeps the first visit as acquisition', () => {
    const visit = factOf(
      { seq: 1, ts: 0, type: 'page', userId: 'u', payload: { context: { page: { url: 'https://s.example/x?utm_source=google&utm_campaign=c1' }, userAgent: 'Mozilla/5.0 (iPhone)' } } },
      undefined,
    )!;
    expect(visit.fact).toMatchObject({ person: 'user_id:u', name: '$pageview', path: '/x', channel: 'google_ads', campaign: 'c1', device: 'mobile' });
    const order = factOf({ seq: 2, ts: 86_400_000, type: 'track', event: 'Order Completed', userId: 'u', payload: { properties: { total: 12, products: [{ category: 'hats' }] } } }, visit.person)!;
    expect(order.fact).toMatchObject({ channel: 'google_ads', campaign: 'c1', device: 'mobile', revenue: 12, category: 'hats' });
    expect(order.person).toMatchObject({ first_order: 86_400_000, first_channel: 'google_ads' });
    const late = factOf({ seq: 3, ts: 31 * 86_400_000, type: 'track', event: 'X', userId: 'u', payload: {} }, order.person)!;
    expect(late.fact.channel).toBe('(direct)');
  });
});
