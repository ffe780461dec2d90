// One refit of every model from the data as of a day: BG/NBD and Gamma-Gamma on the purchases up to
// it (P(alive), expected orders in 90 days, 12-month CLV), the purchase-intent classifier on a time
// split ending at it, and the item-to-item recommendations. Pure: the service loads the data, this
// turns it into scores, model cards and similarities.
import { expectedPurchases, fitBgNbd, pAlive } from './bgnbd.js';
import { clv } from './clv.js';
import { featuresOf, FEATURES, type History } from './features.js';
import { expectedSpend, fitGammaGamma } from './gamma-gamma.js';
import { predictLogistic } from './logistic.js';
import { buildItemModel, evaluateHitRate, VIEW_WEIGHT, type Interaction, type Neighbour } from './recommend.js';
import { DAY_MS, summarise, type Purchase } from './summarise.js';
import { trainClassifier, FOLDS, L2 } from './train-classifier.js';
import type { ModelCard } from './schema.js';
import type { PredictionTrait } from '../../segments/index.js';

export interface ModelInput {
  /** Purchases up to the end of `asOf` (and, for the classifier's labels, all of them are up to it). */
  purchases: (Purchase & { items: string[] })[];
  views: Interaction[];
  /** Other events of each profile since asOf − horizon − 90 days: engagement features. */
  activity: Map<string, History['activity']>;
}

export interface FitSettings {
  /** The calibration end: the last millisecond of the asOf day. */
  asOfEnd: number;
  horizonDays: number;
  annualDiscountRate: number;
}

export type ScoreRow = { profileId: string } & Record<PredictionTrait, number | null>;
export type CardDraft = Omit<ModelCard, 'jobId' | 'fittedAt'>;

export interface FitOutput {
  scores: ScoreRow[];
  cards: CardDraft[];
  neighbours: Neighbour[];
}

const WEEK_DAYS = 7;
const iso = (ms: number) => new Date(ms).toISOString();
const day = (ms: number) => iso(ms).slice(0, 10);

export function fitModels(input: ModelInput, s: FitSettings): FitOutput {
  const cards: CardDraft[] = [];
  const summaries = summarise(input.purchases, s.asOfEnd, WEEK_DAYS);
  const firstTs = input.purchases.reduce((m, p) => Math.min(m, p.ts), Infinity);
  const window = { from: Number.isFinite(firstTs) ? iso(Math.floor(firstTs / DAY_MS) * DAY_MS) : null, to: iso(s.asOfEnd) };
  const scores = new Map<string, ScoreRow>(
    summaries.map((c) => [c.profileId, { profileId: c.profileId, p_alive: null, expected_orders_90d: null, clv_12m: null, churn_risk: null, purchase_intent: null }]),
  );

  // Lifetime models.
  const repeaters = summaries.filter((c) => c.x > 0);
  const bgDescription = 'BG/NBD (Fader, Hardie & Lee 2005): P(alive) and expected orders; time unit weeks, purchases counted per UTC day';
  const bg = summaries.length >= 10 && repeaters.length > 0 ? fitBgNbd(summaries) : null;
  if (!bg) cards.push({ name: 'bg_nbd', description: bgDescription, status: 'insufficient_data', note: 'needs at least 10 customers, one of them with a repeat purchase', dataWindow: window, population: summaries.length, parameters: {} });
  else cards.push({ name: 'bg_nbd', description: bgDescription, status: 'fitted', dataWindow: window, population: summaries.length, parameters: { ...bg.params }, logLikelihood: bg.logLikelihood });
  const ggDescription = 'Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV"): expected order value, fitted on customers with repeat purchases';
  const spenders = repeaters.filter((c) => c.m > 0);
  const gg = spenders.length >= 10 ? fitGammaGamma(spenders) : null;
  if (!gg) cards.push({ name: 'gamma_gamma', description: ggDescription, status: 'insufficient_data', note: 'needs at least 10 customers with a repeat purchase of positive value', dataWindow: window, population: spenders.length, parameters: {} });
  else cards.push({ name: 'gamma_gamma', description: ggDescription, status: 'fitted', dataWindow: window, population: spenders.length, parameters: { ...gg.params, annualDiscountRate: s.annualDiscountRate }, logLikelihood: gg.logLikelihood });
  if (bg)
    for (const c of summaries) {
      const row = scores.get(c.profileId)!;
      row.p_alive = pAlive(bg.params, c);
      row.expected_orders_90d = expectedPurchases(bg.params, c, 90 / WEEK_DAYS);
      if (gg && gg.params.q > 1) row.clv_12m = clv(bg.params, c, expectedSpend(gg.params, c), { months: 12, annualDiscountRate: s.annualDiscountRate, unitDays: WEEK_DAYS });
    }

  // Purchase intent.
  const cutoff = s.asOfEnd - s.horizonDays * DAY_MS;
  const intentDescription = `L2-regularised logistic regression (λ = ${L2}): P(purchase in the next ${s.horizonDays} days); churn_risk = 1 − purchase_intent`;
  const trained = bg ? trainClassifier(input.purchases, input.activity, cutoff, s.asOfEnd) : null;
  if (!trained || !bg) {
    cards.push({ name: 'purchase_intent', description: intentDescription, status: 'insufficient_data', note: 'needs 50 customers before the cut-off with at least 5 who bought again after it and 5 who did not', dataWindow: window, population: 0, parameters: {}, features: [...FEATURES] });
  } else {
    const byProfile = new Map<string, Purchase[]>();
    for (const p of input.purchases) if (p.ts <= s.asOfEnd) (byProfile.get(p.profileId) ?? byProfile.set(p.profileId, []).get(p.profileId)!).push(p);
    for (const [profileId, purchases] of byProfile) {
      const x = featuresOf({ profileId, purchases, activity: (input.activity.get(profileId) ?? []).filter((a) => a.ts <= s.asOfEnd) }, { asOf: s.asOfEnd, bg: bg.params, horizonDays: s.horizonDays });
      const p = predictLogistic(trained.model, x);
      const row = scores.get(profileId)!;
      row.purchase_intent = p;
      row.churn_risk = 1 - p;
    }
    const parameters: Record<string, number> = { intercept: trained.model.weights[0] };
    FEATURES.forEach((f, j) => (parameters[f] = trained.model.weights[j + 1] / trained.model.scales[j]));
    cards.push({
      name: 'purchase_intent',
      description: intentDescription,
      status: 'fitted',
      dataWindow: window,
      population: trained.rows,
      parameters,
      features: [...FEATURES],
      evaluation: {
        method: `time split: features up to ${day(cutoff)}, label = a purchase until ${day(s.asOfEnd)}; ${FOLDS}-fold out-of-fold predictions by profile; BG/NBD refitted on the data up to the cut-off`,
        cutoff: day(cutoff),
        labelUntil: day(s.asOfEnd),
        model: trained.metrics.model,
        baselines: { majority: trained.metrics.majority, pAlive: trained.metrics.pAlive },
      },
    });
  }

  // Recommendations.
  const interactions: Interaction[] = [...input.views.filter((v) => v.ts <= s.asOfEnd)];
  for (const p of input.purchases) if (p.ts <= s.asOfEnd) for (const item of p.items) interactions.push({ profileId: p.profileId, item, ts: p.ts, kind: 'purchase' });
  const items = buildItemModel(interactions);
  const neighbours: Neighbour[] = [];
  for (const [item, list] of items.neighbours) for (const n of list) neighbours.push({ item, other: n.other, score: n.score });
  const recDescription = `item-to-item cosine over profile × item (purchase 1, view ${VIEW_WEIGHT}), 20 neighbours per item, popularity fallback`;
  if (items.popular.length === 0) {
    cards.push({ name: 'recommendations', description: recDescription, status: 'insufficient_data', note: 'no purchased product ids (properties.product_id, sku or products[])', dataWindow: window, population: 0, parameters: {} });
  } else {
    const hr = evaluateHitRate(interactions, cutoff, 10);
    cards.push({
      name: 'recommendations',
      description: recDescription,
      status: 'fitted',
      dataWindow: window,
      population: new Set(interactions.map((i) => i.profileId)).size,
      parameters: { items: items.popular.length, pairs: neighbours.length, viewWeight: VIEW_WEIGHT },
      popularItems: items.popular.slice(0, 100),
      hitRate: { k: hr.k, profiles: hr.profiles, model: hr.hitRate, popularity: hr.popularityHitRate, cutoff: day(cutoff) },
    });
  }
  return { scores: [...scores.values()], cards, neighbours };
}
