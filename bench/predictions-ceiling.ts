// How far CDNOW lets a purchase-intent classifier go (`npm run bench:predictions-ceiling`; needs
// MERIDIAN_SHARED_DATA/cdnow). The split: features to 1997-09-30, label = a purchase until
// 1998-06-30. Out-of-fold accuracy over ten draws of the 5 folds (fold = hash of salt and customer) of:
//  - the logistic regression on the first 20 features (λ = 1, the former model) and on all of them (λ = 10);
//  - a lookup table: the training folds' majority label per (repeat days capped at 6, recency in 4-week
//    bins) cell, and the same table fitted and scored on every customer (in sample).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fitBgNbd } from '../src/analytics/predict/bgnbd.js';
import { FEATURES, featuresOf } from '../src/analytics/predict/features.js';
import { fitLogistic, predictLogistic } from '../src/analytics/predict/logistic.js';
import { evaluate } from '../src/analytics/predict/metrics.js';
import { summarise, DAY_MS, type Purchase } from '../src/analytics/predict/summarise.js';
import { foldOf } from '../src/analytics/predict/train-classifier.js';

const SHARED = process.env.MERIDIAN_SHARED_DATA ?? resolve(process.cwd(), '../shared/data');
const rows = readFileSync(join(SHARED, 'cdnow', 'CDNOW_sample.txt'), 'utf8').trim().split('\n').map((l) => l.trim().split(/\s+/));
const purchases: Purchase[] = rows.map((r) => ({ profileId: r[1], ts: Date.UTC(+r[2].slice(0, 4), +r[2].slice(4, 6) - 1, +r[2].slice(6, 8)), value: +r[4], items: [] }));
const cutoff = Date.UTC(1997, 8, 30) + DAY_MS - 1;
const until = Date.UTC(1998, 5, 30) + DAY_MS - 1;
const before = new Map<string, Purchase[]>();
const bought = new Set<string>();
for (const p of purchases) {
  if (p.ts <= cutoff) before.set(p.profileId, [...(before.get(p.profileId) ?? []), p]);
  else if (p.ts <= until) bought.add(p.profileId);
}
const bg = fitBgNbd(summarise(purchases, cutoff)).params;
const ids = [...before.keys()].sort();
const X = ids.map((id) => featuresOf({ profileId: id, purchases: before.get(id)!, activity: [] }, { asOf: cutoff, bg, horizonDays: (until - cutoff) / DAY_MS }));
const X20 = X.map((r) => r.slice(0, 20));
const y = ids.map((id) => (bought.has(id) ? 1 : 0));
const xi = FEATURES.indexOf('repeat_days');
const ri = FEATURES.indexOf('recency_weeks');
const cell = (r: number[]) => `${Math.min(r[xi], 6)}|${Math.floor(r[ri] / 4)}`;

function outOfFold(fold: number[], fit: (train: number[]) => (i: number) => number): number {
  const p = new Array<number>(ids.length);
  for (let k = 0; k < 5; k++) {
    const predict = fit(ids.map((_, i) => i).filter((i) => fold[i] !== k));
    for (let i = 0; i < ids.length; i++) if (fold[i] === k) p[i] = predict(i);
  }
  return evaluate(p, y).accuracy;
}
const logistic = (Xs: number[][], lambda: number) => (train: number[]) => {
  const m = fitLogistic(train.map((i) => Xs[i]), train.map((i) => y[i]), lambda);
  return (i: number) => predictLogistic(m, Xs[i]);
};
const lookup = (train: number[]) => {
  const cells = new Map<string, [number, number]>();
  for (const i of train) {
    const c = cells.get(cell(X[i])) ?? [0, 0];
    c[0] += y[i];
    c[1]++;
    cells.set(cell(X[i]), c);
  }
  return (i: number) => {
    const c = cells.get(cell(X[i]));
    return c ? c[0] / c[1] : 0;
  };
};
const results: Record<string, number[]> = { 'logistic, 20 features, λ 1': [], [`logistic, ${FEATURES.length} features, λ 10`]: [], 'lookup (repeat days ≤ 6 × recency / 4 w)': [] };
const runs = Object.values(results);
for (let salt = 0; salt < 10; salt++) {
  const fold = ids.map((id) => foldOf(`${salt}:${id}`));
  runs[0].push(outOfFold(fold, logistic(X20, 1)));
  runs[1].push(outOfFold(fold, logistic(X, 10)));
  runs[2].push(outOfFold(fold, lookup));
}
console.log(`CDNOW purchase intent, ${ids.length} customers, ${y.filter(Boolean).length} buy again; out-of-fold accuracy over 10 fold draws:`);
for (const [name, v] of Object.entries(results)) {
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1));
  console.log(`  ${name.padEnd(42)} mean ${mean.toFixed(4)}  sd ${sd.toFixed(4)}  range ${Math.min(...v).toFixed(4)}–${Math.max(...v).toFixed(4)}`);
}
const all = lookup(ids.map((_, i) => i));
const inSample = ids.reduce((s, _, i) => s + ((all(i) > 0.5 ? 1 : 0) === y[i] ? 1 : 0), 0) / ids.length;
console.log(`  lookup fitted and scored on every customer (in sample)  ${inSample.toFixed(4)}`);
console.log(`  binomial standard error of one accuracy: ${Math.sqrt((inSample * (1 - inSample)) / ids.length).toFixed(4)}`);
