// Predictions benchmark (`npm run bench:predictions`), pure compute (the refit's CPU part, no store).
// A population drawn from known BG/NBD and Gamma-Gamma parameters (seeded), daily purchases over 78
// weeks, each customer with a taste for one of 40 product groups:
//  - fit time of BG/NBD and Gamma-Gamma on BENCH_PREDICTIONS_CUSTOMERS (100,000), with the recovered
//    parameters; baseline: one pass that summarises the purchases (the least any model must do);
//  - per-profile scoring (P(alive), expected orders, CLV) against the per-profile summary cost;
//  - a whole refit (fitModels: lifetime models, purchase-intent classifier with its 5-fold
//    evaluation, recommendations) and the classifier's metrics against its baselines;
//  - recommendations hit rate@10 on a time split against popularity;
//  - CDNOW (when MERIDIAN_SHARED_DATA/cdnow is present): fit time and the classifier's metrics table.
// The machine is shared and loaded: timings are noisy; compare ratios, not absolute figures.
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fitBgNbd, expectedPurchases, pAlive } from '../src/analytics/predict/bgnbd.js';
import { fitGammaGamma, expectedSpend } from '../src/analytics/predict/gamma-gamma.js';
import { clv } from '../src/analytics/predict/clv.js';
import { summarise, DAY_MS } from '../src/analytics/predict/summarise.js';
import { fitModels, type ModelInput } from '../src/analytics/predict/fit-models.js';
import { evaluateHitRate, type Interaction } from '../src/analytics/predict/recommend.js';
import type { ClassifierMetrics } from '../src/analytics/predict/schema.js';
import { seededSampler } from '../src/analytics/predict/simulate.js';

const N = Number(process.env.BENCH_PREDICTIONS_CUSTOMERS ?? 100_000);
const SHARED = process.env.MERIDIAN_SHARED_DATA ?? resolve(process.cwd(), '../shared/data');
const TRUTH = { r: 0.5, alpha: 5, a: 0.8, b: 2.5 };
const SPEND = { p: 6, q: 4, gamma: 15 };
const START = Date.UTC(2025, 0, 1);
const WEEKS = 78;
const GROUPS = 40;
const ITEMS_PER_GROUP = 15;

function generate(): ModelInput {
  const r = seededSampler(20260101);
  const input: ModelInput = { purchases: [], views: [], activity: new Map() };
  const end = START + WEEKS * 7 * DAY_MS;
  for (let i = 0; i < N; i++) {
    const profileId = `c${i}`;
    const lambda = r.gamma(TRUTH.r) / TRUTH.alpha;
    const dropout = r.beta(TRUTH.a, TRUTH.b);
    const nu = r.gamma(SPEND.q) / SPEND.gamma;
    const group = Math.floor(r.uniform() * GROUPS);
    const item = () => (r.uniform() < 0.75 ? `g${group}-${Math.floor(r.uniform() * ITEMS_PER_GROUP)}` : `top-${Math.floor(Math.pow(r.uniform(), 2) * 30)}`);
    // Customers are "born" (first purchase) uniformly over the first 12 weeks.
    let t = START + Math.floor(r.uniform() * 84) * DAY_MS;
    for (let n = 0; ; n++) {
      const items = [item()];
      input.purchases.push({ profileId, ts: t, value: r.gamma(SPEND.p) / nu, items });
      if (r.uniform() < 0.5) input.views.push({ profileId, item: item(), ts: t, kind: 'view' });
      // BG/NBD: a customer may drop out after each repeat purchase (not after the first).
      if (n > 0 && r.uniform() < dropout) break;
      t += Math.max(1, Math.round((-Math.log(1 - r.uniform()) / lambda) * 7)) * DAY_MS;
      if (t >= end) break;
    }
  }
  return input;
}

const time = <T>(fn: () => T): [T, number] => {
  const t0 = performance.now();
  const out = fn();
  return [out, performance.now() - t0];
};
const f3 = (x: number) => x.toFixed(3);
const row = (name: string, m: ClassifierMetrics) =>
  `  ${name.padEnd(16)} accuracy ${f3(m.accuracy)}  AUC ${f3(m.auc)}  precision ${f3(m.precision)}  recall ${f3(m.recall)}  log loss ${f3(m.logLoss)}`;

console.log(`bench:predictions  node ${process.version}  nproc ${cpus().length}  load ${loadavg().map((l) => l.toFixed(1)).join(' ')}  (shared machine: timings are noisy)`);
const [input, genMs] = time(generate);
console.log(`generated ${N.toLocaleString()} customers, ${input.purchases.length.toLocaleString()} purchases, ${input.views.length.toLocaleString()} views in ${(genMs / 1000).toFixed(1)} s`);

const calibrationEnd = START + 52 * 7 * DAY_MS - 1;
const [summaries, summariseMs] = time(() => summarise(input.purchases, calibrationEnd));
const [bg, bgMs] = time(() => fitBgNbd(summaries));
const spenders = summaries.filter((c) => c.x > 0 && c.m > 0);
const [gg, ggMs] = time(() => fitGammaGamma(spenders));
console.log(`\nlifetime models on ${summaries.length.toLocaleString()} customers (52 weeks of calibration)`);
console.log(`  baseline: summarise purchases        ${summariseMs.toFixed(0)} ms`);
console.log(`  BG/NBD fit                           ${bgMs.toFixed(0)} ms  (${(bgMs / summariseMs).toFixed(1)}× the baseline)  r ${f3(bg.params.r)} α ${f3(bg.params.alpha)} a ${f3(bg.params.a)} b ${f3(bg.params.b)}  (truth ${TRUTH.r} ${TRUTH.alpha} ${TRUTH.a} ${TRUTH.b})`);
console.log(`  Gamma-Gamma fit (${spenders.length.toLocaleString()} repeaters)   ${ggMs.toFixed(0)} ms  (${(ggMs / summariseMs).toFixed(1)}×)  p ${f3(gg.params.p)} q ${f3(gg.params.q)} γ ${f3(gg.params.gamma)}  (truth ${SPEND.p} ${SPEND.q} ${SPEND.gamma})`);
const [, scoreMs] = time(() => {
  let s = 0;
  for (const c of summaries) s += pAlive(bg.params, c) + expectedPurchases(bg.params, c, 90 / 7) + clv(bg.params, c, expectedSpend(gg.params, c), { months: 12, annualDiscountRate: 0.1, unitDays: 7 });
  return s;
});
const per = (ms: number) => ((ms * 1000) / summaries.length).toFixed(2);
console.log(`  scoring per profile (P(alive), E[orders 90d], CLV 12m): ${per(scoreMs)} µs  vs summarising ${per(summariseMs)} µs per profile: ${(scoreMs / summariseMs).toFixed(1)}×`);

const asOfEnd = START + WEEKS * 7 * DAY_MS - 1;
const [out, refitMs] = time(() => fitModels(input, { asOfEnd, horizonDays: 90, annualDiscountRate: 0.1 }));
console.log(`\nwhole refit (fitModels, as of week ${WEEKS}, classifier horizon 90 days): ${(refitMs / 1000).toFixed(1)} s, ${out.scores.length.toLocaleString()} profiles scored`);
const intent = out.cards.find((c) => c.name === 'purchase_intent');
if (intent?.evaluation) {
  console.log(`purchase intent, ${intent.evaluation.method}`);
  console.log(row('model', intent.evaluation.model));
  console.log(row('majority', intent.evaluation.baselines.majority));
  console.log(row('P(alive) > 0.5', intent.evaluation.baselines.pAlive));
}

const interactions: Interaction[] = [...input.views];
for (const p of input.purchases) for (const item of p.items) interactions.push({ profileId: p.profileId, item, ts: p.ts, kind: 'purchase' });
const [hr, hrMs] = time(() => evaluateHitRate(interactions, asOfEnd - 90 * DAY_MS, 10));
console.log(`\nrecommendations hit rate@10 (train up to 90 days before the end, ${hr.profiles.toLocaleString()} profiles buying something new after): item-to-item ${f3(hr.hitRate)} vs popularity ${f3(hr.popularityHitRate)} (${(hr.hitRate / Math.max(hr.popularityHitRate, 1e-9)).toFixed(2)}×) in ${(hrMs / 1000).toFixed(1)} s`);

const cdnow = join(SHARED, 'cdnow', 'CDNOW_sample.txt');
if (!existsSync(cdnow)) console.log(`\nCDNOW: ${cdnow} not found, skipped (set MERIDIAN_SHARED_DATA)`);
else {
  const rows = readFileSync(cdnow, 'utf8').trim().split('\n').map((l) => l.trim().split(/\s+/));
  const purchases = rows.map((r) => ({ profileId: r[1], ts: Date.UTC(+r[2].slice(0, 4), +r[2].slice(4, 6) - 1, +r[2].slice(6, 8)), value: +r[4], items: [] }));
  const [cd, cdMs] = time(() => fitBgNbd(summarise(purchases, Date.UTC(1997, 8, 30))));
  console.log(`\nCDNOW BG/NBD fit: ${cdMs.toFixed(0)} ms  r ${f3(cd.params.r)} α ${f3(cd.params.alpha)} a ${f3(cd.params.a)} b ${f3(cd.params.b)} LL ${cd.logLikelihood.toFixed(1)}`);
  const [cdOut, cdRefitMs] = time(() => fitModels({ purchases, views: [], activity: new Map() }, { asOfEnd: Date.UTC(1998, 5, 30) + DAY_MS - 1, horizonDays: 273, annualDiscountRate: 0.1 }));
  const ev = cdOut.cards.find((c) => c.name === 'purchase_intent')?.evaluation;
  if (ev) {
    console.log(`CDNOW purchase intent (features to ${ev.cutoff}, label until ${ev.labelUntil}, refit ${cdRefitMs.toFixed(0)} ms):`);
    console.log(row('model', ev.model));
    console.log(row('majority', ev.baselines.majority));
    console.log(row('P(alive) > 0.5', ev.baselines.pAlive));
  }
}
