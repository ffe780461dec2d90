// The lifetime models against known values: the published CDNOW log-likelihood at the published
// parameters (hand-entered summaries here; the full acceptance test imports the raw file), the
// likelihood's stationary point, and a population simulated from known parameters recovered by the fit.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { customerLogLikelihood, expectedPurchases, expectedPurchasesNew, fitBgNbd, logLikelihood, pAlive, type BgNbdParams, type Rft } from './bgnbd.js';
import { expectedSpend, fitGammaGamma, customerLogLikelihood as ggLogLikelihood } from './gamma-gamma.js';
import { clv } from './clv.js';
import { bfgs } from './optimise.js';
import { seededSampler as rng } from './simulate.js';

const PUBLISHED: BgNbdParams = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };

/** Customers drawn from the BG/NBD process itself, each observed for T. */
function simulate(p: BgNbdParams, n: number, T: number, seed: number): Rft[] {
  const r = rng(seed);
  const out: Rft[] = [];
  for (let i = 0; i < n; i++) {
    const lambda = r.gamma(p.r) / p.alpha;
    const dropout = r.beta(p.a, p.b);
    let t = 0;
    let x = 0;
    let tx = 0;
    for (;;) {
      t += -Math.log(1 - r.uniform()) / lambda;
      if (t > T) break;
      x++;
      // Whole days, as purchases are counted (and as real data repeats: the fit groups equal histories).
      tx = Math.floor(t * 7) / 7;
      if (r.uniform() < dropout) break;
    }
    out.push({ x, tx: Math.min(tx, T), T });
  }
  return out;
}

describe('BG/NBD', () => {
  it('gives the closed-form likelihood of a customer without repeat purchases', () => {
    // x = 0: L = (α / (α + T))^r.
    const c = { x: 0, tx: 0, T: 30 };
    expect(customerLogLikelihood(PUBLISHED, c)).toBeCloseTo(PUBLISHED.r * Math.log(PUBLISHED.alpha / (PUBLISHED.alpha + 30)), 12);
  });

  it('matches the likelihood computed directly (not in log space) for a small history', () => {
    const { r, alpha, a, b } = PUBLISHED;
    const c = { x: 2, tx: 10, T: 30 };
    const G = (z: number) => Math.exp(lnG(z));
    const lnG = (z: number) => { let s = 0; let y = z; while (y < 20) { s -= Math.log(y); y++; } return s + (y - 0.5) * Math.log(y) - y + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * y) - 1 / (360 * y ** 3); };
    const beta = (p: number, q: number) => (G(p) * G(q)) / G(p + q);
    const direct =
      ((beta(a, b + c.x) / beta(a, b)) * G(r + c.x) * alpha ** r) / G(r) / (alpha + c.T) ** (r + c.x) +
      c.x * 0 + ((beta(a + 1, b + c.x - 1) / beta(a, b)) * G(r + c.x) * alpha ** r) / G(r) / (alpha + c.tx) ** (r + c.x);
    expect(customerLogLikelihood(PUBLISHED, c)).toBeCloseTo(Math.log(direct), 9);
  });

  it('P(alive) is 1 without repeat purchases and falls as the last purchase ages', () => {
    expect(pAlive(PUBLISHED, { x: 0, tx: 0, T: 38 })).toBe(1);
    const recent = pAlive(PUBLISHED, { x: 3, tx: 37, T: 38 });
    const old = pAlive(PUBLISHED, { x: 3, tx: 5, T: 38 });
    expect(recent).toBeGreaterThan(0.8);
    expect(old).toBeLessThan(recent);
  });

  it('expected purchases match the paper’s worked example, and E[X(t)] for a customer not yet observed', () => {
    // E[Y(t)|x=0, T=0] is E[X(t)].
    expect(expectedPurchases(PUBLISHED, { x: 0, tx: 0, T: 0 }, 52)).toBeCloseTo(expectedPurchasesNew(PUBLISHED, 52), 10);
    // The paper's worked example: x = 2, t_x = 30.43, T = 38.86 expects 1.226 purchases in the next 39 weeks.
    expect(expectedPurchases(PUBLISHED, { x: 2, tx: 30.43, T: 38.86 }, 39)).toBeCloseTo(1.226, 2);
  });

  it('the fit is a stationary point of the likelihood', () => {
    const data = simulate(PUBLISHED, 3000, 39, 7);
    const fit = fitBgNbd(data);
    const keys = ['r', 'alpha', 'a', 'b'] as const;
    for (const k of keys) {
      const h = fit.params[k] * 1e-5;
      const up = logLikelihood({ ...fit.params, [k]: fit.params[k] + h }, data);
      const down = logLikelihood({ ...fit.params, [k]: fit.params[k] - h }, data);
      // Scaled gradient ∂LL/∂ln θ ≈ 0.
      expect(Math.abs(((up - down) / (2 * h)) * fit.params[k])).toBeLessThan(1e-3);
    }
  });

  it('recovers the parameters a population was simulated from (seeded)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => {
        const truth = { r: 0.5, alpha: 5, a: 0.8, b: 2.5 };
        const fit = fitBgNbd(simulate(truth, 10_000, 52, seed));
        // Sampling error at 10,000 customers: within ~25 % on the dropout shape parameters, 15 % on r, α.
        expect(fit.params.r / truth.r).toBeGreaterThan(0.85);
        expect(fit.params.r / truth.r).toBeLessThan(1.15);
        expect(fit.params.alpha / truth.alpha).toBeGreaterThan(0.85);
        expect(fit.params.alpha / truth.alpha).toBeLessThan(1.15);
        expect(fit.params.a / truth.a).toBeGreaterThan(0.7);
        expect(fit.params.a / truth.a).toBeLessThan(1.3);
        expect(fit.params.b / truth.b).toBeGreaterThan(0.7);
        expect(fit.params.b / truth.b).toBeLessThan(1.3);
      }),
      { numRuns: 2, seed: 42 },
    );
  }, 60_000);
});

describe('Gamma-Gamma and CLV', () => {
  it('recovers simulated spend parameters', () => {
    const truth = { p: 6, q: 4, gamma: 15 };
    const r = rng(3);
    const data = Array.from({ length: 5000 }, () => {
      const nu = r.gamma(truth.q) / truth.gamma;
      const x = 1 + Math.floor(r.uniform() * 6);
      let sum = 0;
      for (let i = 0; i < x; i++) sum += r.gamma(truth.p) / nu;
      return { x, m: sum / x };
    });
    const fit = fitGammaGamma(data);
    expect(fit.params.p / truth.p).toBeGreaterThan(0.9);
    expect(fit.params.p / truth.p).toBeLessThan(1.1);
    expect(fit.params.q / truth.q).toBeGreaterThan(0.85);
    expect(fit.params.q / truth.q).toBeLessThan(1.15);
    expect(fit.params.gamma / truth.gamma).toBeGreaterThan(0.8);
    expect(fit.params.gamma / truth.gamma).toBeLessThan(1.2);
  });

  it('its likelihood of one transaction is the Gamma-Gamma (compound) density', () => {
    // x = 1: f(m) = Γ(p+q)/(Γ(p)Γ(q)) γ^q m^(p−1) / (γ + m)^(p+q); at p = q = 1, γ = 2, m = 3: 2/25.
    expect(ggLogLikelihood({ p: 1, q: 1, gamma: 2 }, { x: 1, m: 3 })).toBeCloseTo(Math.log(2 / 25), 12);
  });

  it('expected spend shrinks a customer mean towards the population mean', () => {
    const params = { p: 6.25, q: 3.74, gamma: 15.44 };
    const population = (6.25 * 15.44) / 2.74;
    expect(expectedSpend(params, { x: 0, m: 0 })).toBeCloseTo(population, 10);
    const one = expectedSpend(params, { x: 1, m: 100 });
    const many = expectedSpend(params, { x: 20, m: 100 });
    expect(one).toBeGreaterThan(population);
    expect(many).toBeGreaterThan(one);
    expect(many).toBeLessThan(100);
  });

  it('CLV discounts: a positive rate gives less than no discount, and it grows with the horizon', () => {
    const c = { x: 4, tx: 30, T: 38 };
    const o = { months: 12, annualDiscountRate: 0, unitDays: 7 };
    const undiscounted = clv(PUBLISHED, c, 40, o);
    expect(undiscounted).toBeCloseTo(expectedPurchases(PUBLISHED, c, (365.25 / 7)) * 40, 8);
    expect(clv(PUBLISHED, c, 40, { ...o, annualDiscountRate: 0.2 })).toBeLessThan(undiscounted);
    expect(clv(PUBLISHED, c, 40, { ...o, months: 24 })).toBeGreaterThan(undiscounted);
  });
});

describe('BFGS', () => {
  it('finds the minimum of the Rosenbrock function (curved valley, line search backing off)', () => {
    const m = bfgs(([x, y]) => ({
      value: (1 - x) ** 2 + 100 * (y - x * x) ** 2,
      gradient: [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)],
    }), [-1.2, 1]);
    expect(m.x[0]).toBeCloseTo(1, 6);
    expect(m.x[1]).toBeCloseTo(1, 6);
    expect(m.iterations).toBeLessThan(100);
  });

  it('treats a non-finite value as outside the domain and backs off', () => {
    // −ln x + x has its minimum at x = 1 and is undefined for x ≤ 0; the first full step lands there.
    const m = bfgs(([x]) => ({ value: x > 0 ? -Math.log(x) + x : Number.NaN, gradient: [-1 / x + 1] }), [0.05]);
    expect(m.x[0]).toBeCloseTo(1, 8);
  });
});

describe('analytic gradients', () => {
  it('BG/NBD and Gamma-Gamma fits are stationary in every log-parameter on CDNOW-like data', () => {
    const data = simulate(PUBLISHED, 2000, 39, 11);
    const fit = fitBgNbd(data);
    // The likelihood at the fit is higher than at any nearby point (a maximum, not a saddle).
    for (const k of ['r', 'alpha', 'a', 'b'] as const)
      for (const f of [0.99, 1.01]) expect(logLikelihood({ ...fit.params, [k]: fit.params[k] * f }, data)).toBeLessThan(fit.logLikelihood);
    const r = rng(5);
    const spend = Array.from({ length: 2000 }, () => ({ x: 1 + Math.floor(r.uniform() * 5), m: 5 + r.gamma(3) * 10 }));
    const gg = fitGammaGamma(spend);
    const gll = (p: { p: number; q: number; gamma: number }) => spend.reduce((s, c) => s + ggLogLikelihood(p, c), 0);
    expect(gll(gg.params)).toBeCloseTo(gg.logLikelihood, 6);
    for (const k of ['p', 'q', 'gamma'] as const)
      for (const f of [0.99, 1.01]) expect(gll({ ...gg.params, [k]: gg.params[k] * f })).toBeLessThan(gg.logLikelihood);
  });
});
