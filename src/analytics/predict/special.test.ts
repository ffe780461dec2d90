import { describe, expect, it } from 'vitest';
import { digamma, hyp2f1, lnGamma, logAddExp } from './special.js';

describe('special functions', () => {
  it('ln Γ matches known values', () => {
    expect(lnGamma(1)).toBeCloseTo(0, 13);
    expect(lnGamma(2)).toBeCloseTo(0, 13);
    expect(lnGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 13);
    expect(lnGamma(10)).toBeCloseTo(Math.log(362880), 12);
    expect(lnGamma(0.243)).toBeCloseTo(1.3180435846996699, 12); // Python math.lgamma(0.243)
    expect(lnGamma(171.5)).toBeCloseTo(709.1431630309282, 9);
    expect(Number.isNaN(lnGamma(0))).toBe(true);
  });

  it('₂F₁ matches closed forms', () => {
    // ₂F₁(1, 1; 2; z) = −ln(1 − z)/z and ₂F₁(a, b; b; z) = (1 − z)^−a.
    for (const z of [0, 0.1, 0.5, 0.9]) {
      expect(hyp2f1(1, 1, 2, z)).toBeCloseTo(z === 0 ? 1 : -Math.log(1 - z) / z, 10);
      expect(hyp2f1(0.7, 3, 3, z)).toBeCloseTo(Math.pow(1 - z, -0.7), 10);
    }
    expect(() => hyp2f1(1, 1, 2, 1)).toThrow(RangeError);
  });

  it('logAddExp does not overflow', () => {
    expect(logAddExp(1000, 1000)).toBeCloseTo(1000 + Math.log(2), 10);
    expect(logAddExp(-Infinity, 3)).toBe(3);
    expect(logAddExp(-Infinity, -Infinity)).toBe(-Infinity);
  });

  it('ψ matches known values and the derivative of ln Γ', () => {
    expect(digamma(1)).toBeCloseTo(-0.5772156649015329, 13); // −γ (Euler–Mascheroni)
    expect(digamma(0.5)).toBeCloseTo(-0.5772156649015329 - 2 * Math.LN2, 13);
    expect(digamma(0.243)).toBeCloseTo(-4.351093864423211, 11); // scipy.special.digamma(0.243)
    expect(digamma(100)).toBeCloseTo(4.600161852738088, 13);
    for (const x of [0.3, 2.426, 7.5, 40]) {
      const h = 1e-5 * x;
      expect(digamma(x)).toBeCloseTo((lnGamma(x + h) - lnGamma(x - h)) / (2 * h), 6);
    }
    expect(Number.isNaN(digamma(0))).toBe(true);
  });
});
