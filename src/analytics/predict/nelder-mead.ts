// Nelder–Mead downhill simplex (Lagarias et al. 1998 coefficients: reflect 1, expand 2, contract ½,
// shrink ½). Written here because fmin 0.0.4's shrink step references an undeclared variable and
// throws under ES modules (`ReferenceError: i is not defined`) whenever a fit needs a shrink.

export interface Minimum {
  x: number[];
  fx: number;
  iterations: number;
}

export interface NelderMeadOptions {
  maxIterations?: number;
  /** Stop when the simplex's values (relative to their size) and coordinates both differ by less than these. */
  fTolerance?: number;
  xTolerance?: number;
  /** Size of the initial simplex along each axis. */
  step?: number;
}

export function nelderMead(f: (x: number[]) => number, x0: readonly number[], o: NelderMeadOptions = {}): Minimum {
  const n = x0.length;
  const maxIterations = o.maxIterations ?? 1000 * n;
  const fTol = o.fTolerance ?? 1e-13;
  const xTol = o.xTolerance ?? 1e-8;
  const step = o.step ?? 0.25;
  const points: { x: number[]; fx: number }[] = [{ x: [...x0], fx: f([...x0]) }];
  for (let i = 0; i < n; i++) {
    const x = [...x0];
    x[i] += step;
    points.push({ x, fx: f(x) });
  }
  const along = (from: number[], to: number[], t: number) => from.map((v, i) => v + t * (to[i] - v));
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    points.sort((p, q) => p.fx - q.fx);
    const best = points[0];
    const worst = points[n];
    let spread = 0;
    for (const p of points) for (let i = 0; i < n; i++) spread = Math.max(spread, Math.abs(p.x[i] - best.x[i]));
    if (Math.abs(worst.fx - best.fx) <= fTol * (1 + Math.abs(best.fx)) && spread <= xTol) break;
    const centroid = new Array<number>(n).fill(0);
    for (let k = 0; k < n; k++) for (let i = 0; i < n; i++) centroid[i] += points[k].x[i] / n;
    const reflected = along(centroid, worst.x, -1);
    const fr = f(reflected);
    if (fr < best.fx) {
      const expanded = along(centroid, worst.x, -2);
      const fe = f(expanded);
      points[n] = fe < fr ? { x: expanded, fx: fe } : { x: reflected, fx: fr };
      continue;
    }
    if (fr < points[n - 1].fx) {
      points[n] = { x: reflected, fx: fr };
      continue;
    }
    // Contract outside (towards the reflected point) or inside (towards the worst).
    const outside = fr < worst.fx;
    const contracted = along(centroid, outside ? reflected : worst.x, 0.5);
    const fc = f(contracted);
    if (fc < (outside ? fr : worst.fx)) {
      points[n] = { x: contracted, fx: fc };
      continue;
    }
    for (let k = 1; k <= n; k++) {
      const x = along(best.x, points[k].x, 0.5);
      points[k] = { x, fx: f(x) };
    }
  }
  points.sort((p, q) => p.fx - q.fx);
  return { x: points[0].x, fx: points[0].fx, iterations };
}
