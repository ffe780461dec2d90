// Maximum likelihood over positive parameters: Nelder–Mead on their logarithms, so every step stays in
// the domain, restarted from its own answer until the likelihood stops improving (a simplex that
// collapsed early is rebuilt around the point it reached).
import { nelderMead } from './nelder-mead.js';

export interface Fit {
  params: number[];
  /** The maximised log-likelihood. */
  logLikelihood: number;
  evaluations: number;
}

/** Maximises `ll(params)` over params > 0, starting from `start`. A non-finite value counts as −∞. */
export function maximisePositive(ll: (params: number[]) => number, start: number[], restarts = 8): Fit {
  let evaluations = 0;
  const objective = (logs: number[]) => {
    evaluations++;
    const v = ll(logs.map(Math.exp));
    return Number.isFinite(v) ? -v : Number.MAX_VALUE;
  };
  let x = start.map(Math.log);
  let fx = objective(x);
  for (let i = 0; i < restarts; i++) {
    const s = nelderMead(objective, x, { step: i === 0 ? 0.5 : 0.05 });
    const improved = fx - s.fx;
    if (s.fx <= fx) {
      x = s.x;
      fx = s.fx;
    }
    if (improved < 1e-9 * (1 + Math.abs(fx))) break;
  }
  return { params: x.map(Math.exp), logLikelihood: -fx, evaluations };
}
