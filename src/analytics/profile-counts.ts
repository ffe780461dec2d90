// Exact distinct-profile counters without a per-query scan of people. Each profile's contribution is a
// pure function of its UTC active days (with the day's orders and revenue); the analytics stage adds
// contribution(after) − contribution(before) for every profile whose days or identity changed, so
// the counters always equal the sum over today's profiles — a merged person counts once. Pure.
//
// Kinds (analytics_counts rows (kind, a, b) → n):
//   G  (active day, previous active day of the profile or -1) → profiles. The profiles active in days
//      [L, H] are Σ n over a ∈ [L, H], b < L — any range, exactly, from O(days²) rows at most.
//   C  the same over order days (customers; b = -1 marks the first order: new customers).
//   RW/RM (cohort = week/month of the first active day, period) → members active in the period;
//   VW/VM the same cells' revenue; QW/QM and UW/UM for the first-order cohort.
export const DAY_MS = 86_400_000;

export interface Day {
  orders: number;
  revenue: number;
}
export type Days = Map<number, Day>;

/** UTC epoch-day of an instant. */
export const dayOf = (ms: number) => Math.floor(ms / DAY_MS);
/** ISO week number counted from 1970 (weeks start on Monday; epoch day 4 was a Monday). */
export const weekOf = (day: number) => Math.floor((day + 3) / 7);
/** Month number counted from year 0 (year × 12 + month − 1). */
export const monthOf = (day: number) => {
  const d = new Date(day * DAY_MS);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
};

export function decodeDays(text: string): Days {
  const out: Days = new Map();
  if (text === '') return out;
  for (const part of text.split(',')) {
    const [d, o, r] = part.split(':');
    out.set(Number(d), { orders: o === undefined ? 0 : Number(o), revenue: r === undefined ? 0 : Number(r) });
  }
  return out;
}

export function encodeDays(days: Days): string {
  return [...days.keys()]
    .sort((a, b) => a - b)
    .map((d) => {
      const v = days.get(d)!;
      return v.orders === 0 && v.revenue === 0 ? String(d) : `${d}:${v.orders}:${v.revenue}`;
    })
    .join(',');
}

/** The union of several keys' days (one profile's), adding orders and revenue of the same day. */
export function unionDays(all: readonly Days[]): Days {
  if (all.length === 1) return all[0];
  const out: Days = new Map();
  for (const days of all)
    for (const [d, v] of days) {
      const o = out.get(d);
      out.set(d, o ? { orders: o.orders + v.orders, revenue: o.revenue + v.revenue } : { ...v });
    }
  return out;
}

const SEP = '\u0000';
export const countKey = (kind: string, a: number, b: number) => `${kind}${SEP}${a}${SEP}${b}`;
export function parseCountKey(key: string): { kind: string; a: number; b: number } {
  const [kind, a, b] = key.split(SEP);
  return { kind, a: Number(a), b: Number(b) };
}

/** Adds `sign` × one profile's contribution to `into` (counter key → value). */
export function addContribution(into: Map<string, number>, days: Days, sign: 1 | -1): void {
  if (days.size === 0) return;
  const add = (kind: string, a: number, b: number, v: number) => {
    if (v === 0) return;
    const k = countKey(kind, a, b);
    into.set(k, (into.get(k) ?? 0) + sign * v);
  };
  const sorted = [...days.keys()].sort((a, b) => a - b);
  let prev = -1;
  let prevOrder = -1;
  for (const d of sorted) {
    add('G', d, prev, 1);
    prev = d;
    if (days.get(d)!.orders > 0) {
      add('C', d, prevOrder, 1);
      prevOrder = d;
    }
  }
  const firstOrder = sorted.find((d) => days.get(d)!.orders > 0);
  for (const [g, of] of [['W', weekOf], ['M', monthOf]] as const) {
    // Per period: active (1) and revenue; cells only from the cohort's period on, as the table reads them.
    const periods = new Map<number, number>();
    for (const d of sorted) periods.set(of(d), (periods.get(of(d)) ?? 0) + days.get(d)!.revenue);
    const seen = of(sorted[0]);
    const ordered = firstOrder === undefined ? null : of(firstOrder);
    for (const [p, revenue] of periods) {
      if (p >= seen) {
        add(`R${g}`, seen, p, 1);
        add(`V${g}`, seen, p, revenue);
      }
      if (ordered !== null && p >= ordered) {
        add(`Q${g}`, ordered, p, 1);
        add(`U${g}`, ordered, p, revenue);
      }
    }
  }
}

/**
 * Distinct profiles active in day ranges, from G or C rows: per day `a`, the counts by previous day `b`
 * sorted, with running sums, so a range [lo, hi] costs one binary search per day in it. Pure.
 */
export class DistinctDays {
  private readonly byDay = new Map<number, { bs: number[]; sums: number[] }>();

  constructor(rows: readonly { a: number; b: number; n: number }[]) {
    const grouped = new Map<number, { b: number; n: number }[]>();
    for (const r of rows) (grouped.get(r.a) ?? grouped.set(r.a, []).get(r.a)!).push(r);
    for (const [a, list] of grouped) {
      list.sort((x, y) => x.b - y.b);
      let sum = 0;
      this.byDay.set(a, { bs: list.map((x) => x.b), sums: list.map((x) => (sum += x.n)) });
    }
  }

  /** Profiles active on some day in [lo, hi]: those active on a day there whose previous active day is before lo. */
  count(lo: number, hi: number): number {
    let total = 0;
    for (let a = lo; a <= hi; a++) {
      const d = this.byDay.get(a);
      if (!d) continue;
      // The number of b values < lo: binary search for the first b >= lo.
      let l = 0;
      let h = d.bs.length;
      while (l < h) {
        const m = (l + h) >> 1;
        if (d.bs[m] < lo) l = m + 1;
        else h = m;
      }
      if (l > 0) total += d.sums[l - 1];
    }
    return total;
  }

  /** Profiles whose first active day (b = -1) is in [lo, hi]. */
  firsts(lo: number, hi: number): number {
    let total = 0;
    for (let a = lo; a <= hi; a++) {
      const d = this.byDay.get(a);
      if (d && d.bs[0] === -1) total += d.sums[0];
    }
    return total;
  }
}
