// Maximum likelihood over positive parameters: BFGS on their logarithms (every point stays in the
// domain) with the analytic gradient the models supply, and a line search that keeps the strong Wolfe
// conditions (Nocedal & Wright 2006, algorithms 3.5–3.6; cubic interpolation inside the bracket). The
// inverse-Hessian approximation starts as the identity scaled by the first step's curvature
// (N & W eq. 6.20) and skips an update whose curvature yᵀs is not positive.

export interface Fit {
  params: number[];
  /** The maximised log-likelihood. */
  logLikelihood: number;
  /** Objective-and-gradient evaluations. */
  evaluations: number;
  iterations: number;
}

/** A log-likelihood and its gradient with respect to the (positive) parameters. */
export type LogLikelihoodWithGradient = (params: number[]) => { value: number; gradient: number[] };

export interface Minimum {
  x: number[];
  fx: number;
  gradient: number[];
  iterations: number;
  evaluations: number;
}

export interface BfgsOptions {
  maxIterations?: number;
  /** Stop when ‖∇f‖∞ ≤ gradientTolerance · max(1, |f|). */
  gradientTolerance?: number;
}

type Objective = (x: number[]) => { value: number; gradient: number[] };

const dot = (u: readonly number[], v: readonly number[]) => {
  let s = 0;
  for (let i = 0; i < u.length; i++) s += u[i] * v[i];
  return s;
};

/** Minimises f (value and gradient) from x0. A non-finite value counts as +∞ (the line search backs off). */
export function bfgs(f: Objective, x0: readonly number[], o: BfgsOptions = {}): Minimum {
  const n = x0.length;
  const maxIterations = o.maxIterations ?? 200 * n;
  const gTol = o.gradientTolerance ?? 1e-10;
  let evaluations = 0;
  const evaluate = (x: number[]) => {
    evaluations++;
    const r = f(x);
    const finite = Number.isFinite(r.value) && r.gradient.every(Number.isFinite);
    return finite ? r : { value: Infinity, gradient: r.gradient.map(() => Number.NaN) };
  };
  let x = [...x0];
  let cur = evaluate(x);
  if (!Number.isFinite(cur.value)) throw new RangeError('the starting point has no finite objective');
  // H: inverse-Hessian approximation, row-major n × n; null until the first step sets its scale.
  let H: number[] | null = null;
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    const g = cur.gradient;
    if (Math.max(...g.map(Math.abs)) <= gTol * Math.max(1, Math.abs(cur.value))) break;
    const d = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) d[i] -= (H ? H[i * n + j] : i === j ? 1 : 0) * g[j];
    let slope = dot(g, d);
    if (!(slope < 0)) {
      // Not a descent direction (H lost positive definiteness to rounding): restart from steepest descent.
      H = null;
      for (let i = 0; i < n; i++) d[i] = -g[i];
      slope = -dot(g, g);
    }
    // First step: at most a unit move in log space along the gradient.
    const initial = H ? 1 : Math.min(1, 1 / Math.max(...d.map(Math.abs)));
    const step = lineSearch(evaluate, x, cur, d, slope, initial);
    if (!step) break; // no decrease found along a descent direction: the minimum to machine precision
    const s = step.x.map((v, i) => v - x[i]);
    const y = step.at.gradient.map((v, i) => v - g[i]);
    const sy = dot(s, y);
    const fPrev = cur.value;
    x = step.x;
    cur = step.at;
    if (sy > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
      if (!H) {
        const scale = sy / dot(y, y);
        H = new Array<number>(n * n).fill(0);
        for (let i = 0; i < n; i++) H[i * n + i] = scale;
      }
      // H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ
      const rho = 1 / sy;
      const Hy = new Array<number>(n).fill(0);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) Hy[i] += H[i * n + j] * y[j];
      const yHy = dot(y, Hy);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) H[i * n + j] += rho * ((1 + rho * yHy) * s[i] * s[j] - Hy[i] * s[j] - s[i] * Hy[j]);
    }
    if (fPrev - cur.value <= 1e-15 * Math.max(1, Math.abs(cur.value)) && Math.max(...s.map(Math.abs)) < 1e-12) break;
  }
  return { x, fx: cur.value, gradient: cur.gradient, iterations, evaluations };
}

interface Point {
  value: number;
  gradient: number[];
}

/** Strong Wolfe line search (c₁ = 1e-4, c₂ = 0.9); null when no step decreases f. */
function lineSearch(
  evaluate: (x: number[]) => Point,
  x: readonly number[],
  at0: Point,
  d: readonly number[],
  slope0: number,
  initial: number,
): { x: number[]; at: Point } | null {
  const c1 = 1e-4;
  const c2 = 0.9;
  const f0 = at0.value;
  const probe = (t: number) => {
    const xt = x.map((v, i) => v + t * d[i]);
    const at = evaluate(xt);
    return { t, x: xt, at, f: at.value, slope: Number.isFinite(at.value) ? dot(at.gradient, d) : Number.NaN };
  };
  type Probe = ReturnType<typeof probe>;
  const zoom = (lo: Probe, hi: Probe): Probe | null => {
    for (let k = 0; k < 60; k++) {
      // Cubic interpolation when both ends have finite slopes, else bisection; kept inside the bracket.
      let t = (lo.t + hi.t) / 2;
      if (Number.isFinite(hi.f) && Number.isFinite(hi.slope)) {
        const d1 = lo.slope + hi.slope - (3 * (lo.f - hi.f)) / (lo.t - hi.t);
        const disc = d1 * d1 - lo.slope * hi.slope;
        if (disc >= 0) {
          const d2 = Math.sign(hi.t - lo.t) * Math.sqrt(disc);
          const c = hi.t - (hi.t - lo.t) * ((hi.slope + d2 - d1) / (hi.slope - lo.slope + 2 * d2));
          const lower = Math.min(lo.t, hi.t);
          const width = Math.abs(hi.t - lo.t);
          if (Number.isFinite(c) && c > lower + 0.1 * width && c < lower + 0.9 * width) t = c;
        }
      }
      if (Math.abs(hi.t - lo.t) < 1e-16 * Math.max(1, Math.abs(lo.t))) break;
      const p = probe(t);
      if (!(p.f <= f0 + c1 * t * slope0) || p.f >= lo.f) hi = p;
      else {
        if (Math.abs(p.slope) <= -c2 * slope0) return p;
        if (p.slope * (hi.t - lo.t) >= 0) hi = lo;
        lo = p;
      }
    }
    return lo.t > 0 ? lo : null;
  };
  let prev: Probe = { t: 0, x: [...x], at: at0, f: f0, slope: slope0 };
  let t = initial;
  for (let i = 0; i < 40; i++) {
    const p = probe(t);
    if (!(p.f <= f0 + c1 * t * slope0) || (i > 0 && p.f >= prev.f)) {
      const z = zoom(prev, p);
      return z ? { x: z.x, at: z.at } : null;
    }
    if (Math.abs(p.slope) <= -c2 * slope0) return { x: p.x, at: p.at };
    if (p.slope >= 0) {
      const z = zoom(p, prev);
      return z ? { x: z.x, at: z.at } : null;
    }
    prev = p;
    t *= 2;
  }
  return { x: prev.x, at: prev.at };
}

/**
 * Maximises `ll` over params > 0 from `start`, by BFGS on θ = ln params: the gradient with respect to
 * ln pᵢ is pᵢ · ∂ll/∂pᵢ.
 */
export function maximisePositive(ll: LogLikelihoodWithGradient, start: number[]): Fit {
  const m = bfgs((logs) => {
    const params = logs.map(Math.exp);
    const { value, gradient } = ll(params);
    return { value: -value, gradient: gradient.map((g, i) => -g * params[i]) };
  }, start.map(Math.log));
  return { params: m.x.map(Math.exp), logLikelihood: -m.fx, evaluations: m.evaluations, iterations: m.iterations };
}
