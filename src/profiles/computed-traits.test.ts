import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { combineComputed, computedValue, foldComputed, windowedValue, type AggState, type FoldEvent } from './computed-traits.js';
import type { ComputedTraitDefinition } from './schema.js';

const DAY = 86_400_000;
const defs: ComputedTraitDefinition[] = [
  { name: 'orders', kind: 'count', event: 'Order' },
  { name: 'ltv', kind: 'sum', event: 'Order', property: 'total' },
  { name: 'aov', kind: 'avg', event: 'Order', property: 'total' },
  { name: 'low', kind: 'min', event: 'Order', property: 'total' },
  { name: 'high', kind: 'max', event: 'Order', property: 'total' },
  { name: 'first_at', kind: 'first', event: 'Order' },
  { name: 'last_cat', kind: 'last', event: 'Order', property: 'cat' },
  { name: 'fav', kind: 'most_frequent', event: 'Order', property: 'cat' },
  { name: 'seen', kind: 'days_since_last' },
];

const eventArb = fc.record({
  type: fc.constant('track'),
  event: fc.constantFrom('Order', 'Page'),
  ts: fc.integer({ min: 0, max: 20 }).map((d) => d * DAY),
  sourceId: fc.constant('s'),
  sourceType: fc.constant(null),
  properties: fc.record({ total: fc.integer({ min: 0, max: 500 }), cat: fc.constantFrom('a', 'b', 'c') }),
}) as fc.Arbitrary<FoldEvent>;

const fold = (def: ComputedTraitDefinition, events: FoldEvent[]) => events.reduce<AggState | undefined>((s, e) => foldComputed(def, s, e), undefined);

describe('computed traits', () => {
  it('depend only on the set of events: any order, and combining two halves, give the same value', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 30 }), fc.nat(), (events, cut) => {
        const shuffled = [...events].reverse();
        const k = events.length === 0 ? 0 : cut % (events.length + 1);
        for (const def of defs) {
          const whole = computedValue(def, fold(def, events), 30 * DAY);
          expect(computedValue(def, fold(def, shuffled), 30 * DAY)).toEqual(whole);
          const halves = combineComputed(def, fold(def, events.slice(0, k)), fold(def, events.slice(k)));
          expect(computedValue(def, halves, 30 * DAY)).toEqual(whole);
        }
      }),
    );
  });

  it('computes the documented values', () => {
    const e = (day: number, total: number, cat: string): FoldEvent => ({ type: 'track', event: 'Order', ts: day * DAY, sourceId: 's', sourceType: null, properties: { total, cat } });
    const events = [e(1, 10, 'a'), e(3, 30, 'b'), e(2, 20, 'b')];
    const values = Object.fromEntries(defs.map((d) => [d.name, computedValue(d, fold(d, events), 10 * DAY)]));
    expect(values).toEqual({ orders: 3, ltv: 60, aov: 20, low: 10, high: 30, first_at: new Date(DAY).toISOString(), last_cat: 'b', fav: 'b', seen: 7 });
    expect(windowedValue({ name: 'recent', kind: 'count', event: 'Order', windowDays: 7 }, events, 10 * DAY)).toBe(1);
    expect(computedValue(defs[0], undefined, 0)).toBe(0);
    expect(computedValue(defs[3], undefined, 0)).toBeNull();
  });
});
