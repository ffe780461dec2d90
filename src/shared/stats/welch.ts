// Welch's two-sample t interval for a difference of means (unequal variances, Welch–Satterthwaite
// degrees of freedom), from per-group sums — treated minus holdout for conversion (a mean of 0/1) and
// revenue per person, the one interval both the journey stats (journeys/stats.ts) and the journey
// effect (analytics/journey-effect.ts) give. Student's t quantile by inverting its CDF (regularised
// incomplete beta, Lentz's continued fraction) with bisection. Pure.
import type { MeanDifference } from './schema.js';
import { lnGamma } from './gamma.js';

export type { MeanDifference };

/** Count, sum and sum of squares of one group's values. */
export interface Moments {
  n: number;
  sum: number;
  sumSquares: number;
}

/** I_x(a, b), the regularised incomplete beta function, for 0 ≤ x ≤ 1. */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  // The continued fraction converges fast for x < (a + 1)/(a + b + 2); use the symmetry otherwise.
  if (x > (a + 1) / (a + b + 2)) return 1 - incompleteBeta(1 - x, b, a);
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let f = d;
  for (let m = 1; m <= 500; m++) {
    for (const even of [true, false]) {
      const num = even ? (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m)) : -((a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1));
      d = 1 + num * d;
      if (Math.abs(d) < tiny) d = tiny;
      c = 1 + num / c;
      if (Math.abs(c) < tiny) c = tiny;
      d = 1 / d;
      f *= c * d;
      if (!even && Math.abs(c * d - 1) < 1e-15) return (front * f) / a;
    }
  }
  return (front * f) / a;
}

/** P(T ≤ t) for Student's t with df > 0 degrees of freedom. */
export function studentTCdf(t: number, df: number): number {
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** The p-quantile of Student's t (0 < p < 1), to ~1e-12. */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1) || !(df > 0)) return Number.NaN;
  if (p === 0.5) return 0;
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  let lo = 0;
  let hi = 1;
  while (studentTCdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-13 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Difference of the two groups' means with Welch's 95 % interval. */
export function welch(a: Moments, b: Moments): MeanDifference | null {
  if (a.n === 0 || b.n === 0) return null;
  const mean = (g: Moments) => g.sum / g.n;
  const difference = mean(a) - mean(b);
  if (a.n < 2 || b.n < 2) return { difference, ci95: null, df: null };
  // Sample variance; clamped at 0 against rounding in sumSquares − n·mean².
  const variance = (g: Moments) => Math.max(0, (g.sumSquares - g.n * mean(g) ** 2) / (g.n - 1));
  const va = variance(a) / a.n;
  const vb = variance(b) / b.n;
  const se2 = va + vb;
  if (!(se2 > 0)) return { difference, ci95: null, df: null };
  const df = (se2 * se2) / ((va * va) / (a.n - 1) + (vb * vb) / (b.n - 1));
  const half = studentTQuantile(0.975, df) * Math.sqrt(se2);
  return { difference, ci95: [difference - half, difference + half], df };
}
