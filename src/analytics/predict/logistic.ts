// L2-regularised logistic regression, fitted exactly by Newton's method (IRLS) on standardised
// features: deterministic, no learning rate to tune, and fast for the few dozen features Meridian uses.

export interface LogisticModel {
  /** Per feature: mean and standard deviation used to standardise. */
  means: number[];
  scales: number[];
  /** Intercept first, then one weight per standardised feature. */
  weights: number[];
  lambda: number;
}

const sigmoid = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

/** Solves A x = b (A symmetric positive definite) by Gaussian elimination with partial pivoting. */
function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[pivot][c])) pivot = r;
    [M[c], M[pivot]] = [M[pivot], M[c]];
    for (let r = c + 1; r < n; r++) {
      const f = M[r][c] / M[c][c];
      for (let k = c; k <= n; k++) M[r][k] -= f * M[c][k];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = M[r][n];
    for (let k = r + 1; k < n; k++) s -= M[r][k] * x[k];
    x[r] = s / M[r][r];
  }
  return x;
}

export function fitLogistic(X: readonly number[][], y: readonly number[], lambda = 1): LogisticModel {
  const d = X[0]?.length ?? 0;
  const means = new Array<number>(d).fill(0);
  const scales = new Array<number>(d).fill(0);
  for (const row of X) row.forEach((v, j) => (means[j] += v / X.length));
  for (const row of X) row.forEach((v, j) => (scales[j] += (v - means[j]) ** 2 / X.length));
  for (let j = 0; j < d; j++) scales[j] = Math.sqrt(scales[j]) || 1;
  const Z = X.map((row) => [1, ...row.map((v, j) => (v - means[j]) / scales[j])]);
  let w = new Array<number>(d + 1).fill(0);
  for (let iter = 0; iter < 50; iter++) {
    const grad = new Array<number>(d + 1).fill(0);
    const H = Array.from({ length: d + 1 }, () => new Array<number>(d + 1).fill(0));
    for (let i = 0; i < Z.length; i++) {
      const z = Z[i];
      const p = sigmoid(z.reduce((s, v, j) => s + v * w[j], 0));
      const r = p * (1 - p);
      for (let j = 0; j <= d; j++) {
        grad[j] += (p - y[i]) * z[j];
        for (let k = 0; k <= j; k++) H[j][k] += r * z[j] * z[k];
      }
    }
    // The intercept is not penalised.
    for (let j = 1; j <= d; j++) {
      grad[j] += lambda * w[j];
      H[j][j] += lambda;
    }
    for (let j = 0; j <= d; j++) for (let k = j + 1; k <= d; k++) H[j][k] = H[k][j];
    H[0][0] += 1e-9;
    const step = solve(H, grad);
    w = w.map((v, j) => v - step[j]);
    if (Math.max(...step.map(Math.abs)) < 1e-8) break;
  }
  return { means, scales, weights: w, lambda };
}

export function predictLogistic(m: LogisticModel, x: readonly number[]): number {
  let z = m.weights[0];
  for (let j = 0; j < x.length; j++) z += m.weights[j + 1] * ((x[j] - m.means[j]) / m.scales[j]);
  return sigmoid(z);
}
