import { describe, expect, it } from 'vitest';
import { featuresOf, FEATURES, FutureDataError } from './features.js';
import { trainClassifier, foldOf } from './train-classifier.js';

const DAY = 86_400_000;
const bg = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
const asOf = Date.UTC(2026, 0, 31) - 1;

describe('classifier features', () => {
  it('refuse any data after the cut-off: the training code cannot see the future', () => {
    const ok = { profileId: 'p', purchases: [{ ts: asOf - 10 * DAY, value: 5 }], activity: [{ ts: asOf, type: 'page' }] };
    expect(featuresOf(ok, { asOf, bg, horizonDays: 90 })).toHaveLength(FEATURES.length);
    expect(() => featuresOf({ ...ok, purchases: [...ok.purchases, { ts: asOf + 1, value: 5 }] }, { asOf, bg, horizonDays: 90 })).toThrow(FutureDataError);
    expect(() => featuresOf({ ...ok, activity: [{ ts: asOf + DAY, type: 'page' }] }, { asOf, bg, horizonDays: 90 })).toThrow(/after the cut-off/);
  });

  it('count purchase days in recent windows, recency and engagement', () => {
    const day = (n: number) => asOf - n * DAY;
    const x = featuresOf(
      { profileId: 'p', purchases: [day(100), day(50), day(50), day(10)].map((ts) => ({ ts, value: 10 })), activity: [{ ts: day(5), type: 'page' }, { ts: day(2), type: 'screen' }] },
      { asOf, bg, horizonDays: 90 },
    );
    const f = Object.fromEntries(FEATURES.map((n, i) => [n, x[i]]));
    expect(f.repeat_days).toBe(2);
    expect(f.purchase_days_30d).toBe(1);
    expect(f.purchase_days_90d).toBe(2);
    expect(f.recency_weeks).toBeCloseTo(10 / 7, 10);
    expect(f.log_total_spend).toBeCloseTo(Math.log1p(40), 10);
    expect(f.share_web).toBe(0.5);
    expect(f.share_app).toBe(0.5);
    expect(f.p_alive).toBeGreaterThan(0);
  });

  it('labels only from after the cut-off, and refuses to train on too little data', () => {
    const cutoff = asOf - 90 * DAY;
    // 60 customers: even ones buy again after the cut-off.
    const purchases = Array.from({ length: 60 }, (_, i) => [
      { profileId: `p${i}`, ts: cutoff - (100 + i) * DAY, value: 10 },
      { profileId: `p${i}`, ts: cutoff - (i % 3) * 20 * DAY, value: 10 },
      ...(i % 2 === 0 ? [{ profileId: `p${i}`, ts: cutoff + 5 * DAY, value: 10 }] : []),
    ]).flat();
    const trained = trainClassifier(purchases, new Map(), cutoff, asOf);
    expect(trained?.metrics.model.positives).toBe(30);
    expect(trained?.rows).toBe(60);
    expect(trainClassifier(purchases.slice(0, 30), new Map(), cutoff, asOf)).toBeNull();
    expect(new Set(Array.from({ length: 100 }, (_, i) => foldOf(`p${i}`))).size).toBe(5);
  });
});
