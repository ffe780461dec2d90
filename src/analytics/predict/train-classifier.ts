// The purchase-intent classifier on a time split: features of every customer as of `cutoff` (only data
// before it), label = bought again in (cutoff, labelUntil]. Out-of-fold predictions (5 folds by
// profile) give its metrics next to two baselines scored on the same customers in the same run: the
// majority class and "P(alive) > 0.5". The final model is then trained on every customer.
import { fitBgNbd, type BgNbdParams } from './bgnbd.js';
import { FEATURES, featuresOf, type History } from './features.js';
import { fitLogistic, predictLogistic, type LogisticModel } from './logistic.js';
import { evaluate, type ClassifierMetrics } from './metrics.js';
import { summarise, type Purchase } from './summarise.js';

export const FOLDS = 5;
/** Ridge penalty on the standardised weights (39 features, some strongly correlated: λ = 10 steadies them). */
export const L2 = 10;
const MIN_ROWS = 50;
const MIN_CLASS = 5;

/** A stable fold per profile (FNV-1a), so reruns on the same data give the same figures. */
export function foldOf(profileId: string, folds = FOLDS): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < profileId.length; i++) h = Math.imul(h ^ profileId.charCodeAt(i), 0x01000193);
  return (h >>> 0) % folds;
}

export interface TrainedClassifier {
  model: LogisticModel;
  bgAtCutoff: BgNbdParams;
  rows: number;
  metrics: { model: ClassifierMetrics; majority: ClassifierMetrics; pAlive: ClassifierMetrics };
}

/**
 * `purchases` may run past the cut-off (they give the labels); `activity` too. Returns null when
 * there is too little data on either side of the split to learn anything.
 */
export function trainClassifier(purchases: readonly Purchase[], activity: ReadonlyMap<string, History['activity']>, cutoff: number, labelUntil: number): TrainedClassifier | null {
  const before = new Map<string, Purchase[]>();
  const bought = new Set<string>();
  for (const p of purchases) {
    if (p.ts <= cutoff) {
      const list = before.get(p.profileId);
      if (list) list.push(p);
      else before.set(p.profileId, [p]);
    } else if (p.ts <= labelUntil) bought.add(p.profileId);
  }
  if (before.size < MIN_ROWS) return null;
  const summaries = summarise(purchases, cutoff);
  if (!summaries.some((s) => s.x > 0)) return null;
  const bgAtCutoff = fitBgNbd(summaries).params;
  const horizonDays = (labelUntil - cutoff) / 86_400_000;
  const ids = [...before.keys()].sort();
  const X = ids.map((id) =>
    featuresOf({ profileId: id, purchases: before.get(id)!, activity: (activity.get(id) ?? []).filter((a) => a.ts <= cutoff) }, { asOf: cutoff, bg: bgAtCutoff, horizonDays }),
  );
  const y = ids.map((id) => (bought.has(id) ? 1 : 0));
  const positives = y.reduce((s: number, v) => s + v, 0);
  if (positives < MIN_CLASS || ids.length - positives < MIN_CLASS) return null;

  const fold = ids.map((id) => foldOf(id));
  const oof = new Array<number>(ids.length);
  const majority = new Array<number>(ids.length);
  for (let k = 0; k < FOLDS; k++) {
    const train = ids.map((_, i) => i).filter((i) => fold[i] !== k);
    if (train.length === ids.length) continue;
    const m = fitLogistic(train.map((i) => X[i]), train.map((i) => y[i]), L2);
    const rate = train.reduce((s, i) => s + y[i], 0) / train.length;
    for (let i = 0; i < ids.length; i++) if (fold[i] === k) (oof[i] = predictLogistic(m, X[i])), (majority[i] = rate);
  }
  const pAliveAt = FEATURES.indexOf('p_alive');
  return {
    model: fitLogistic(X, y, L2),
    bgAtCutoff,
    rows: ids.length,
    metrics: { model: evaluate(oof, y), majority: evaluate(majority, y), pAlive: evaluate(X.map((x) => x[pAliveAt]), y) },
  };
}
