// Reads of the person-free rollups the analytics stage maintains: the additive measures per UTC hour
// (analytics_dims) and the distinct-profile counters per UTC day and cohort cell (analytics_counts,
// profile-counts.ts). They answer without touching per-person rows, so their cost follows the number of
// days in the range, not the number of events or people. They serve queries whose buckets are whole UTC
// days (or whole UTC weeks / months for cohorts) and that have no segment filter; the others read the
// per-person rollup or the event facts.
import { sql } from 'kysely';
import type { Db } from '../storage/index.js';
import { dayOf, DistinctDays, monthOf, weekOf } from './profile-counts.js';
import { bucketTable, n } from './scope.js';
import type { Bucket, Granularity } from './time-buckets.js';
import './tables.js';

export interface CountRow {
  a: number;
  b: number;
  n: number;
}

/** Whether every bucket starts and ends at a UTC midnight. */
export const dayAligned = (bs: readonly Bucket[]) => bs.every((b) => b.lo % 86_400_000 === 0 && b.hi % 86_400_000 === 0);

/** First and last UTC day (inclusive) of a day-aligned bucket. */
export const daysOf = (b: Pick<Bucket, 'lo' | 'hi'>) => [dayOf(b.lo), dayOf(b.hi) - 1] as const;

/** Counter rows of `kind` with `a` in [lo, hi] (with `firsts`, only b = -1). */
export async function countRows(db: Db, kind: string, lo: number, hi: number, firsts = false): Promise<CountRow[]> {
  let q = db.selectFrom('analytics_counts').select(['a', 'b', 'n']).where('kind', '=', kind).where('a', '>=', lo).where('a', '<=', hi);
  if (firsts) q = q.where('b', '=', -1);
  const rows = await q.execute();
  return rows.map((r) => ({ a: Number(r.a), b: Number(r.b), n: Number(r.n) }));
}

/** Orders and revenue per bucket (hour-aligned buckets) from the dimension rollup's total rows. */
export async function ordersPerBucket(db: Db, bs: readonly Bucket[]): Promise<Map<number, { orders: number; revenue: number }>> {
  const rows = await sql<{ i: number; orders: number; revenue: number }>`
    WITH ${bucketTable(bs)}
    SELECT b.i AS i, SUM(d.orders) AS orders, SUM(d.revenue) AS revenue
    FROM b JOIN analytics_dims d ON d.dim = '' AND d.hour >= b.lo AND d.hour < b.hi AND d.value = ''
    GROUP BY b.i`.execute(db);
  return new Map(rows.rows.map((r) => [Number(r.i), { orders: n(r.orders), revenue: n(r.revenue) }]));
}

/** The G or C counters of days [lo, hi], ready for range counts. */
export async function distinctDays(db: Db, kind: 'G' | 'C', lo: number, hi: number): Promise<DistinctDays> {
  return new DistinctDays(await countRows(db, kind, lo, hi));
}

/** Distinct active profiles, customers and new customers (first order ever) in a day-aligned range. Pure. */
export function peopleIn(g: DistinctDays, c: DistinctDays, b: Pick<Bucket, 'lo' | 'hi'>) {
  const [l, h] = daysOf(b);
  return { active: g.count(l, h), customers: c.count(l, h), newCustomers: c.firsts(l, h) };
}

/** DAU, WAU (trailing 7 days) and MAU (trailing 30) for each UTC day from `first` to `last`. Pure. */
export function trailingCounts(g: DistinctDays, first: number, last: number) {
  const out: { day: number; dau: number; wau: number; mau: number }[] = [];
  for (let d = first; d <= last; d++) out.push({ day: d, dau: g.count(d, d), wau: g.count(d - 6, d), mau: g.count(d - 29, d) });
  return out;
}

/** The cohort period number of each bucket when every bucket is a whole UTC week or month, else null. */
export function wholePeriods(bs: readonly Bucket[], g: Granularity): number[] | null {
  if (g === 'day') return null;
  const out: number[] = [];
  for (const b of bs) {
    const lo = Date.parse(`${b.start}T00:00:00Z`);
    const d = new Date(lo);
    const hi = g === 'week' ? lo + 7 * 86_400_000 : Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
    if (b.lo !== lo || b.hi !== hi) return null;
    out.push(g === 'week' ? weekOf(dayOf(lo)) : monthOf(dayOf(lo)));
  }
  return out;
}

/** Cohort sizes and (cohort, period) cells from the counters, indexed by bucket. */
export async function cohortsFromCounts(db: Db, bs: readonly Bucket[], periods: readonly number[], g: Granularity, cohort: 'first_seen' | 'first_order') {
  const [lo, hi] = [dayOf(bs[0].lo), dayOf(bs[bs.length - 1].hi) - 1];
  const firsts = new DistinctDays(await countRows(db, cohort === 'first_seen' ? 'G' : 'C', lo, hi, true));
  const sizes = new Map<number, number>();
  bs.forEach((b, i) => {
    const size = firsts.firsts(...daysOf(b));
    if (size > 0) sizes.set(i, size);
  });
  const index = new Map(periods.map((p, i) => [p, i]));
  const suffix = g === 'week' ? 'W' : 'M';
  const [activeKind, revenueKind] = cohort === 'first_seen' ? [`R${suffix}`, `V${suffix}`] : [`Q${suffix}`, `U${suffix}`];
  const [p0, pN] = [periods[0], periods[periods.length - 1]];
  const cells = new Map<string, { cohort: number; period: number; active: number; revenue: number }>();
  for (const [kind, field] of [[activeKind, 'active'], [revenueKind, 'revenue']] as const)
    for (const r of await countRows(db, kind, p0, pN)) {
      const c = index.get(r.a);
      const p = index.get(r.b);
      if (c === undefined || p === undefined) continue;
      const id = `${c}:${p}`;
      const cell = cells.get(id) ?? cells.set(id, { cohort: c, period: p, active: 0, revenue: 0 }).get(id)!;
      cell[field] += r.n;
    }
  return { sizes, cells: [...cells.values()] };
}
