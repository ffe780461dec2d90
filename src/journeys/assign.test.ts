import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isHoldout, pickVariant } from './assign.js';

const variants = [
  { name: 'A', percent: 50, next: 'a' },
  { name: 'B', percent: 30, next: 'b' },
  { name: 'C', percent: 20, next: 'c' },
];

describe('holdout and split assignment', () => {
  it('gives a profile the same variant and holdout every time', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (journey, profile) => {
        expect(pickVariant(variants, journey, 's', profile)).toBe(pickVariant(variants, journey, 's', profile));
        expect(isHoldout(journey, profile, 10)).toBe(isHoldout(journey, profile, 10));
      }),
    );
  });

  it('comes close to the configured split over 100,000 profiles', () => {
    const counts = { A: 0, B: 0, C: 0 } as Record<string, number>;
    let held = 0;
    for (let i = 0; i < 100_000; i++) {
      counts[pickVariant(variants, 'jrn_1', 'split', `prof_${i}`).name]++;
      if (isHoldout('jrn_1', `prof_${i}`, 10)) held++;
    }
    expect(counts.A / 1000).toBeCloseTo(50, 0);
    expect(Math.abs(counts.B / 1000 - 30)).toBeLessThan(1);
    expect(Math.abs(counts.C / 1000 - 20)).toBeLessThan(1);
    expect(Math.abs(held / 1000 - 10)).toBeLessThan(0.6);
  });

  it('holds nobody out at 0 %', () => {
    for (let i = 0; i < 1000; i++) expect(isHoldout('j', `p${i}`, 0)).toBe(false);
  });
});
