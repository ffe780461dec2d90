// Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV"): a customer's transaction values
// are Gamma(p, ν) with ν ~ Gamma(q, γ). Fitted on customers with at least one repeat purchase, from
// the number x and the mean value m of their repeat transactions; gives the expected value of their
// next transactions.
import { digamma, lnGamma } from './special.js';
import { maximisePositive } from './optimise.js';

export interface SpendSummary {
  x: number;
  /** Mean value of the x repeat transactions. */
  m: number;
}

export interface GammaGammaParams {
  p: number;
  q: number;
  gamma: number;
}

export function customerLogLikelihood({ p, q, gamma }: GammaGammaParams, { x, m }: SpendSummary): number {
  return (
    lnGamma(p * x + q) - lnGamma(p * x) - lnGamma(q) + q * Math.log(gamma) + (p * x - 1) * Math.log(m) + p * x * Math.log(x) - (p * x + q) * Math.log(gamma + m * x)
  );
}

export function logLikelihood(params: GammaGammaParams, customers: readonly SpendSummary[]): number {
  let sum = 0;
  for (const c of customers) sum += customerLogLikelihood(params, c);
  return sum;
}

export function fitGammaGamma(customers: readonly SpendSummary[]): { params: GammaGammaParams; logLikelihood: number } {
  const usable = customers.filter((c) => c.x > 0 && c.m > 0);
  if (usable.length === 0) throw new RangeError('Gamma-Gamma needs customers with a repeat purchase of positive value');
  const meanM = usable.reduce((s, c) => s + c.m, 0) / usable.length;
  // Per customer only logs remain; the ln Γ terms depend on x alone (one evaluation per distinct x).
  const rows = usable.map((c) => ({ x: c.x, m: c.m, lnM: Math.log(c.m), lnX: Math.log(c.x) }));
  const xs = [...new Set(rows.map((c) => c.x))];
  // Gradient per customer: ∂/∂p = x(ψ(px+q) − ψ(px) + ln m + ln x − ln(γ+mx)), ∂/∂q = ψ(px+q) − ψ(q) + ln γ −
  // ln(γ+mx), ∂/∂γ = q/γ − (px+q)/(γ+mx).
  const ll = ([p, q, gamma]: number[]) => {
    const byX = new Map(xs.map((x) => [x, { lnG: lnGamma(p * x + q) - lnGamma(p * x), psiPQ: digamma(p * x + q), psiP: digamma(p * x) }]));
    const lnGammaScale = Math.log(gamma);
    const common = -lnGamma(q) + q * lnGammaScale;
    const psiQ = digamma(q);
    let sum = 0;
    let gp = 0;
    let gq = 0;
    let gg = 0;
    for (const c of rows) {
      const k = byX.get(c.x)!;
      const px = p * c.x;
      const lnDen = Math.log(gamma + c.m * c.x);
      sum += k.lnG + common + (px - 1) * c.lnM + px * c.lnX - (px + q) * lnDen;
      gp += c.x * (k.psiPQ - k.psiP + c.lnM + c.lnX - lnDen);
      gq += k.psiPQ - psiQ + lnGammaScale - lnDen;
      gg += q / gamma - (px + q) / (gamma + c.m * c.x);
    }
    return { value: sum, gradient: [gp, gq, gg] };
  };
  const fit = maximisePositive(ll, [1, 1, meanM]);
  const [p, q, gamma] = fit.params;
  return { params: { p, q, gamma }, logLikelihood: fit.logLikelihood };
}

/** E[M | x, m]: the expected value of a customer's transactions; with x = 0 the population mean. */
export function expectedSpend({ p, q, gamma }: GammaGammaParams, { x, m }: SpendSummary): number {
  if (q <= 1) return x > 0 ? m : Number.NaN;
  const populationMean = (p * gamma) / (q - 1);
  if (x === 0) return populationMean;
  const w = (p * x) / (p * x + q - 1);
  return (1 - w) * populationMean + w * m;
}
