// BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way"): transactions follow a
// Poisson process with rate λ ~ Gamma(r, α); after each purchase a customer drops out with
// probability p ~ Beta(a, b). Fitted by maximum likelihood on (x, t_x, T) in log space (BFGS with the analytic gradient); gives
// P(alive) and expected purchases in the next t time units.
import { digamma, hyp2f1, lnGamma, logAddExp } from './special.js';
import { maximisePositive } from './optimise.js';

/** One customer in the calibration period: x repeat purchases, the last at t_x, observed for T (same unit). */
export interface Rft {
  x: number;
  tx: number;
  T: number;
}

export interface BgNbdParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

/** The log-likelihood of one customer (eq. 6 of the paper, in log space). */
export function customerLogLikelihood(p: BgNbdParams, c: Rft): number {
  const { r, alpha, a, b } = p;
  const { x, tx, T } = c;
  const a1 = lnGamma(r + x) - lnGamma(r) + r * Math.log(alpha);
  const a2 = lnGamma(a + b) + lnGamma(b + x) - lnGamma(b) - lnGamma(a + b + x);
  const a3 = -(r + x) * Math.log(alpha + T);
  const a4 = x > 0 ? Math.log(a) - Math.log(b + x - 1) - (r + x) * Math.log(alpha + tx) : -Infinity;
  return a1 + a2 + logAddExp(a3, a4);
}

export function logLikelihood(p: BgNbdParams, customers: readonly Rft[]): number {
  let sum = 0;
  for (const c of customers) sum += customerLogLikelihood(p, c);
  return sum;
}

/**
 * Customers with the same (x, t_x, T) contribute the same term: grouping them makes a fit over many
 * customers cost one evaluation per distinct history (daily data repeats a lot).
 */
function grouped(customers: readonly Rft[]): { c: Rft; n: number }[] {
  const groups = new Map<string, { c: Rft; n: number }>();
  for (const c of customers) {
    const key = `${c.x}|${c.tx}|${c.T}`;
    const g = groups.get(key);
    if (g) g.n++;
    else groups.set(key, { c, n: 1 });
  }
  return [...groups.values()];
}

export interface BgNbdFit {
  params: BgNbdParams;
  logLikelihood: number;
}

export function fitBgNbd(customers: readonly Rft[], start: BgNbdParams = { r: 1, alpha: 1, a: 1, b: 1 }): BgNbdFit {
  if (customers.length === 0) throw new RangeError('BG/NBD needs at least one customer');
  // Scale α's start to the data's time unit (it is a scale parameter of the purchase rate).
  const meanT = customers.reduce((s, c) => s + c.T, 0) / customers.length;
  const groups = grouped(customers);
  // The ln Γ terms depend on x alone: one evaluation per distinct x, not per customer.
  const counts = new Map<number, number>();
  for (const g of groups) counts.set(g.c.x, (counts.get(g.c.x) ?? 0) + g.n);
  const byX = [...counts];
  // The log-likelihood and its gradient (ψ = digamma). Per history, with L = ln(e^A3 + e^A4) and the weights
  // w3 = e^(A3−L), w4 = e^(A4−L): ∂A3/∂r = −ln(α+T), ∂A3/∂α = −(r+x)/(α+T), ∂A4/∂r = −ln(α+t_x),
  // ∂A4/∂α = −(r+x)/(α+t_x), ∂A4/∂a = 1/a, ∂A4/∂b = −1/(b+x−1).
  const ll = ([r, alpha, a, b]: number[]) => {
    const lnAlpha = Math.log(alpha);
    const base = lnGamma(a + b) - lnGamma(r) - lnGamma(b) + r * lnAlpha;
    const psiR = digamma(r);
    const psiAB = digamma(a + b);
    const psiB = digamma(b);
    let sum = 0;
    let gr = 0;
    let galpha = 0;
    let ga = 0;
    let gb = 0;
    const lnA4 = new Map<number, number>();
    for (const [x, n] of byX) {
      sum += n * (base + lnGamma(r + x) + lnGamma(b + x) - lnGamma(a + b + x));
      const psiABX = digamma(a + b + x);
      gr += n * (digamma(r + x) - psiR + lnAlpha);
      galpha += (n * r) / alpha;
      ga += n * (psiAB - psiABX);
      gb += n * (psiAB + digamma(b + x) - psiB - psiABX);
      if (x > 0) lnA4.set(x, Math.log(a) - Math.log(b + x - 1));
    }
    for (const { c, n } of groups) {
      const rx = r + c.x;
      const lnT = Math.log(alpha + c.T);
      const a3 = -rx * lnT;
      if (c.x === 0) {
        sum += n * a3;
        gr -= n * lnT;
        galpha -= (n * rx) / (alpha + c.T);
        continue;
      }
      const lnTx = Math.log(alpha + c.tx);
      const a4 = lnA4.get(c.x)! - rx * lnTx;
      const l = logAddExp(a3, a4);
      const w3 = Math.exp(a3 - l);
      const w4 = Math.exp(a4 - l);
      sum += n * l;
      gr -= n * (w3 * lnT + w4 * lnTx);
      galpha -= n * rx * (w3 / (alpha + c.T) + w4 / (alpha + c.tx));
      ga += (n * w4) / a;
      gb -= (n * w4) / (b + c.x - 1);
    }
    return { value: sum, gradient: [gr, galpha, ga, gb] };
  };
  const fit = maximisePositive(ll, [start.r, start.alpha === 1 ? Math.max(1, meanT / 10) : start.alpha, start.a, start.b]);
  const [r, alpha, a, b] = fit.params;
  return { params: { r, alpha, a, b }, logLikelihood: fit.logLikelihood };
}

/** P(alive | x, t_x, T) (eq. 13 of Fader, Hardie & Lee's note "Computing P(alive)"). */
export function pAlive(p: BgNbdParams, c: Rft): number {
  if (c.x === 0) return 1;
  const logOdds = Math.log(p.a) - Math.log(p.b + c.x - 1) + (p.r + c.x) * (Math.log(p.alpha + c.T) - Math.log(p.alpha + c.tx));
  return 1 / (1 + Math.exp(logOdds));
}

/** E[Y(t) | x, t_x, T]: expected purchases in the next t time units (eq. 10). */
export function expectedPurchases(p: BgNbdParams, c: Rft, t: number): number {
  if (t <= 0) return 0;
  const { r, alpha, a, b } = p;
  const { x, tx, T } = c;
  const z = t / (alpha + T + t);
  const lead = (a + b + x - 1) / (a - 1);
  const inner = 1 - Math.exp((r + x) * Math.log((alpha + T) / (alpha + T + t))) * hyp2f1(r + x, b + x, a + b + x - 1, z);
  const odds = x > 0 ? Math.exp(Math.log(a) - Math.log(b + x - 1) + (r + x) * Math.log((alpha + T) / (alpha + tx))) : 0;
  return (lead * inner) / (1 + odds);
}

/** E[X(t)] for a new customer: expected purchases in a period of length t (eq. 7). */
export function expectedPurchasesNew(p: BgNbdParams, t: number): number {
  const { r, alpha, a, b } = p;
  const z = t / (alpha + t);
  return ((a + b - 1) / (a - 1)) * (1 - Math.exp(r * Math.log(alpha / (alpha + t))) * hyp2f1(r, b, a + b - 1, z));
}
