// Classifier features of one profile as of a cut-off, from what Meridian knows before it: purchases
// (RFM, recent windows, inter-purchase times, spend), tenure, engagement and channel mix from the other
// events, and the BG/NBD conditional expectations. A history holding anything after the cut-off is
// refused: the training code cannot see the future.
import { expectedPurchases, pAlive, type BgNbdParams } from './bgnbd.js';
import { DAY_MS } from './summarise.js';

export interface History {
  profileId: string;
  purchases: { ts: number; value: number }[];
  /** Other events (page, screen, track…): engagement and channel mix. */
  activity: { ts: number; type: string }[];
}

export const FEATURES = [
  'repeat_days',
  'log_repeat_days',
  'recency_weeks',
  'tenure_weeks',
  'repeat_rate',
  'purchase_days_30d',
  'purchase_days_90d',
  'purchase_days_180d',
  'mean_gap_weeks',
  'gap_cv',
  'overdue_ratio',
  'log_total_spend',
  'log_mean_spend',
  'log_first_spend',
  'p_alive',
  'log_expected_orders',
  'log_events_30d',
  'active_days_90d',
  'share_web',
  'share_app',
  // Non-linear shapes of recency and frequency (a logistic regression is linear in its features; on CDNOW
  // these take out-of-fold accuracy from 0.782 to 0.787, steady over ten fold draws — docs/predictions.md).
  'log_recency',
  'sqrt_recency',
  'recency_squared',
  'log_last_gap',
  'log_max_gap',
  'past_max_gap',
  'purchase_days_60d',
  'purchase_days_120d',
  'purchase_days_270d',
  'log_recency_x_log_repeat',
  'no_repeat',
  'one_repeat',
  'two_repeats',
  'bought_4w',
  'bought_8w',
  'bought_13w',
  'bought_20w',
  'log_last_spend',
  'birth_weeks',
] as const;
export type FeatureName = (typeof FEATURES)[number];

export class FutureDataError extends Error {
  constructor(readonly profileId: string, readonly ts: number, readonly asOf: number) {
    super(`profile ${profileId} has data at ${new Date(ts).toISOString()}, after the cut-off ${new Date(asOf).toISOString()}: features may only use the past`);
  }
}

export interface FeatureContext {
  /** End of the cut-off day (inclusive), epoch ms. */
  asOf: number;
  bg: BgNbdParams;
  /** The label period, in days: what "expected orders" looks ahead. */
  horizonDays: number;
}

const log1p = Math.log1p;

export function featuresOf(h: History, ctx: FeatureContext): number[] {
  for (const e of [...h.purchases, ...h.activity]) if (e.ts > ctx.asOf) throw new FutureDataError(h.profileId, e.ts, ctx.asOf);
  const endDay = Math.floor(ctx.asOf / DAY_MS);
  const perDay = new Map<number, number>();
  for (const p of h.purchases) {
    const d = Math.floor(p.ts / DAY_MS);
    perDay.set(d, (perDay.get(d) ?? 0) + (Number.isFinite(p.value) ? p.value : 0));
  }
  const days = [...perDay.keys()].sort((a, b) => a - b);
  const total = [...perDay.values()].reduce((s, v) => s + v, 0);
  const firstSeen = Math.min(days[0] ?? Infinity, ...h.activity.map((a) => Math.floor(a.ts / DAY_MS)));
  const tenure = Number.isFinite(firstSeen) ? (endDay - firstSeen) / 7 : 0;
  const x = Math.max(0, days.length - 1);
  const T = days.length ? (endDay - days[0]) / 7 : 0;
  const tx = days.length ? (days[days.length - 1] - days[0]) / 7 : 0;
  const recency = days.length ? (endDay - days[days.length - 1]) / 7 : tenure;
  const gaps = days.slice(1).map((d, i) => (d - days[i]) / 7);
  const meanGap = gaps.length ? gaps.reduce((s, g) => s + g, 0) / gaps.length : T;
  const sdGap = gaps.length > 1 ? Math.sqrt(gaps.reduce((s, g) => s + (g - meanGap) ** 2, 0) / (gaps.length - 1)) : 0;
  const within = (n: number) => days.filter((d) => d > endDay - n).length;
  const lastGap = gaps.length ? gaps[gaps.length - 1] : 0;
  const maxGap = gaps.length ? Math.max(...gaps) : 0;
  const bought = (weeks: number) => (days.length && recency < weeks ? 1 : 0);
  const rft = { x, tx, T };
  const alive = days.length ? pAlive(ctx.bg, rft) : 0;
  const expected = days.length ? expectedPurchases(ctx.bg, rft, ctx.horizonDays / 7) : 0;
  const recent = h.activity.filter((a) => a.ts > ctx.asOf - 30 * DAY_MS).length;
  const activeDays = new Set(h.activity.filter((a) => a.ts > ctx.asOf - 90 * DAY_MS).map((a) => Math.floor(a.ts / DAY_MS))).size;
  const share = (type: string) => (h.activity.length ? h.activity.filter((a) => a.type === type).length / h.activity.length : 0);
  return [
    x,
    log1p(x),
    recency,
    tenure,
    x / (T + 1),
    within(30),
    within(90),
    within(180),
    meanGap,
    meanGap > 0 ? sdGap / meanGap : 0,
    meanGap > 0 ? recency / meanGap : 0,
    log1p(total),
    log1p(days.length ? total / days.length : 0),
    log1p(days.length ? perDay.get(days[0])! : 0),
    alive,
    log1p(expected),
    log1p(recent),
    activeDays,
    share('page'),
    share('screen'),
    log1p(recency),
    Math.sqrt(recency),
    (recency * recency) / 100,
    log1p(lastGap),
    log1p(maxGap),
    gaps.length && recency > maxGap ? 1 : 0,
    within(60),
    within(120),
    within(270),
    log1p(recency) * log1p(x),
    days.length && x === 0 ? 1 : 0,
    x === 1 ? 1 : 0,
    x === 2 ? 1 : 0,
    bought(4),
    bought(8),
    bought(13),
    bought(20),
    log1p(days.length ? perDay.get(days[days.length - 1])! : 0),
    T,
  ];
}
