import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addContribution, decodeDays, DistinctDays, encodeDays, parseCountKey, unionDays, type Days } from './profile-counts.js';

const daysArb = fc.uniqueArray(fc.integer({ min: 20_000, max: 20_060 }), { maxLength: 8 }).chain((ds) =>
  fc.tuple(...ds.map((d) => fc.tuple(fc.constant(d), fc.nat(2), fc.nat(500)))).map((xs) => new Map(xs.map(([d, o, r]) => [d, { orders: o, revenue: o === 0 ? 0 : r }])) as Days),
);

function counters(profiles: readonly Days[]) {
  const m = new Map<string, number>();
  for (const p of profiles) addContribution(m, p, 1);
  return m;
}
const rowsOf = (m: Map<string, number>, kind: string) =>
  [...m].map(([k, n]) => ({ ...parseCountKey(k), n })).filter((r) => r.kind === kind && Math.abs(r.n) > 1e-9);

describe('distinct-profile counters', () => {
  it('count the profiles active in any day range exactly, as a scan of every profile would', () => {
    fc.assert(
      fc.property(fc.array(daysArb, { maxLength: 12 }), fc.integer({ min: 19_990, max: 20_070 }), fc.nat(40), (profiles, lo, len) => {
        const hi = lo + len;
        const g = new DistinctDays(rowsOf(counters(profiles), 'G'));
        const c = new DistinctDays(rowsOf(counters(profiles), 'C'));
        const within = (p: Days, orders: boolean) => [...p].some(([d, v]) => d >= lo && d <= hi && (!orders || v.orders > 0));
        expect(g.count(lo, hi)).toBe(profiles.filter((p) => within(p, false)).length);
        expect(c.count(lo, hi)).toBe(profiles.filter((p) => within(p, true)).length);
        const firstOrder = (p: Days) => Math.min(...[...p].filter(([, v]) => v.orders > 0).map(([d]) => d));
        expect(c.firsts(lo, hi)).toBe(profiles.filter((p) => firstOrder(p) >= lo && firstOrder(p) <= hi).length);
      }),
    );
  });

  it('swap a merged pair for their union: the counters equal those of the merged population', () => {
    fc.assert(
      fc.property(fc.array(daysArb, { minLength: 2, maxLength: 8 }), (profiles) => {
        const [a, b, ...rest] = profiles;
        const m = counters(profiles);
        addContribution(m, a, -1);
        addContribution(m, b, -1);
        addContribution(m, unionDays([a, b]), 1);
        const merged = counters([unionDays([a, b]), ...rest]);
        for (const kind of ['G', 'C', 'RW', 'VM', 'QM', 'UW']) {
          const norm = (rows: { a: number; b: number; n: number }[]) => rows.map((r) => `${r.a}/${r.b}/${r.n.toFixed(6)}`).sort();
          expect(norm(rowsOf(m, kind))).toEqual(norm(rowsOf(merged, kind)));
        }
      }),
    );
  });

  it('round-trips a profile’s days through their text form', () => {
    fc.assert(
      fc.property(daysArb, (days) => {
        expect(decodeDays(encodeDays(days))).toEqual(days);
      }),
    );
  });
});
