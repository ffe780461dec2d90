import { describe, expect, it } from 'vitest';
import { bucket, decide, ruleProblems, type VisitorFacts } from './decide.js';
import type { Placement } from './schema.js';

const facts = (over: Partial<VisitorFacts> = {}): VisitorFacts => ({ known: true, traits: {}, segments: new Set(), tags: new Set(), eventCounts: new Map(), ...over });
const placement = (rules: Placement['rules']): Placement => ({
  id: 'plc_1', name: 'home_hero', description: null, rules, default: { banner: 'default' }, recordExposures: true, createdAt: '', updatedAt: '',
});

describe('placement decisions', () => {
  it('answers with the first rule whose conditions all hold, else the default', () => {
    const p = placement([
      { name: 'vip', conditions: [{ type: 'segment', segmentId: 'seg_vip' }, { type: 'context', test: { property: 'device.type', op: 'equals', value: 'ios' } }], content: { banner: 'vip-ios' } },
      { name: 'shoes', conditions: [{ type: 'event', event: 'Product Viewed', withinDays: 7, minCount: 2 }], content: { banner: 'shoes' } },
    ]);
    const shoes = facts({ eventCounts: new Map([['7|Product Viewed', 2]]) });
    expect(decide(p, facts({ segments: new Set(['seg_vip']) }), { device: { type: 'ios' } }, 'v').content).toEqual({ banner: 'vip-ios' });
    expect(decide(p, facts({ segments: new Set(['seg_vip']) }), { device: { type: 'android' } }, 'v').content).toEqual({ banner: 'default' });
    expect(decide(p, shoes, {}, 'v')).toEqual({ placement: 'home_hero', rule: 'shoes', variant: null, content: { banner: 'shoes' } });
    expect(decide(p, facts({ eventCounts: new Map([['7|Product Viewed', 1]]) }), {}, 'v').rule).toBeNull();
  });

  it('assigns A/B variants stably per visitor and close to the weights', () => {
    const p = placement([{ name: 'ab', conditions: [], variants: [{ name: 'a', weight: 30, content: 'A' }, { name: 'b', weight: 70, content: 'B' }] }]);
    let a = 0;
    for (let i = 0; i < 20_000; i++) if (decide(p, facts(), {}, `visitor-${i}`).variant === 'a') a++;
    expect(a / 20_000).toBeGreaterThan(0.28);
    expect(a / 20_000).toBeLessThan(0.32);
    expect(decide(p, facts(), {}, 'visitor-7').variant).toBe(decide(p, facts(), {}, 'visitor-7').variant);
    expect(bucket('plc_1', 'ab', 'x')).toBe(bucket('plc_1', 'ab', 'x'));
  });

  it('names the rule of each problem', () => {
    expect(ruleProblems([{ name: 'r', conditions: [], variants: [{ name: 'a', weight: 50, content: 1 }, { name: 'b', weight: 40, content: 2 }] }])).toEqual([
      { rule: 'r', problem: 'variant weights sum to 90, not 100' },
    ]);
    expect(ruleProblems([{ name: 'r', conditions: [] }])).toEqual([{ rule: 'r', problem: 'give either content or variants' }]);
  });
});
