// How good a probability is at predicting a yes/no label: accuracy, precision and recall at 0.5, AUC
// (Mann–Whitney, ties counted half), log loss and a calibration table (predicted vs observed in bins).

export interface ClassifierMetrics {
  n: number;
  positives: number;
  accuracy: number;
  precision: number;
  recall: number;
  auc: number;
  logLoss: number;
  calibration: { from: number; to: number; n: number; predicted: number; observed: number }[];
}

export function auc(scores: readonly number[], labels: readonly number[]): number {
  const order = scores.map((s, i) => i).sort((a, b) => scores[a] - scores[b]);
  let rankSum = 0;
  let pos = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && scores[order[j + 1]] === scores[order[i]]) j++;
    const midRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (labels[order[k]] === 1) (rankSum += midRank), pos++;
    i = j + 1;
  }
  const neg = labels.length - pos;
  if (pos === 0 || neg === 0) return 0.5;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

export function evaluate(scores: readonly number[], labels: readonly number[], bins = 10): ClassifierMetrics {
  let tp = 0, fp = 0, tn = 0, fn = 0, ll = 0;
  scores.forEach((s, i) => {
    const yes = s > 0.5;
    if (yes && labels[i] === 1) tp++;
    else if (yes) fp++;
    else if (labels[i] === 1) fn++;
    else tn++;
    const p = Math.min(1 - 1e-12, Math.max(1e-12, s));
    ll -= labels[i] === 1 ? Math.log(p) : Math.log(1 - p);
  });
  const calibration = Array.from({ length: bins }, (_, b) => ({ from: b / bins, to: (b + 1) / bins, n: 0, predicted: 0, observed: 0 }));
  scores.forEach((s, i) => {
    const c = calibration[Math.min(bins - 1, Math.floor(s * bins))];
    c.n++;
    c.predicted += s;
    c.observed += labels[i];
  });
  for (const c of calibration) if (c.n) (c.predicted /= c.n), (c.observed /= c.n);
  const n = scores.length;
  return {
    n,
    positives: tp + fn,
    accuracy: n ? (tp + tn) / n : 0,
    precision: tp + fp ? tp / (tp + fp) : 0,
    recall: tp + fn ? tp / (tp + fn) : 0,
    auc: auc(scores, labels),
    logLoss: n ? ll / n : 0,
    calibration: calibration.filter((c) => c.n > 0),
  };
}
