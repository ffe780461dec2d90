// From purchases to what the lifetime models read. Purchases on the same (UTC) day count as one
// transaction of their summed value, as in the papers; the first day is the customer's "birth" and is
// not a repeat purchase. Only purchases up to the end of the calibration day are looked at.
import type { Rft } from './bgnbd.js';

export const DAY_MS = 86_400_000;

export interface Purchase {
  profileId: string;
  ts: number;
  value: number;
}

export interface CustomerSummary extends Rft {
  profileId: string;
  /** Mean value of the repeat transactions (0 without any). */
  m: number;
  /** Value of the first day's purchases. */
  firstValue: number;
  /** Days, for features: first and last purchase day (UTC day numbers), and each transaction day. */
  firstDay: number;
  lastDay: number;
  days: number[];
  values: number[];
}

/**
 * Summaries of every customer with a purchase up to `calibrationEnd` (inclusive: the whole UTC day it
 * falls in), in time units of `unitDays` days (7: weeks, as in the papers).
 */
export function summarise(purchases: Iterable<Purchase>, calibrationEnd: number, unitDays = 7): CustomerSummary[] {
  const endDay = Math.floor(calibrationEnd / DAY_MS);
  const byCustomer = new Map<string, Map<number, number>>();
  for (const p of purchases) {
    const day = Math.floor(p.ts / DAY_MS);
    if (day > endDay) continue;
    let days = byCustomer.get(p.profileId);
    if (!days) byCustomer.set(p.profileId, (days = new Map()));
    days.set(day, (days.get(day) ?? 0) + (Number.isFinite(p.value) ? p.value : 0));
  }
  const out: CustomerSummary[] = [];
  for (const [profileId, perDay] of byCustomer) {
    const days = [...perDay.keys()].sort((a, b) => a - b);
    const values = days.map((d) => perDay.get(d)!);
    const firstDay = days[0];
    const lastDay = days[days.length - 1];
    const x = days.length - 1;
    const repeat = values.slice(1);
    out.push({
      profileId,
      x,
      tx: (lastDay - firstDay) / unitDays,
      T: (endDay - firstDay) / unitDays,
      m: x > 0 ? repeat.reduce((s, v) => s + v, 0) / x : 0,
      firstValue: values[0],
      firstDay,
      lastDay,
      days,
      values,
    });
  }
  return out;
}
