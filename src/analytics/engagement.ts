// Engagement: daily, weekly (trailing 7 days) and monthly (trailing 30 days) active profiles per local
// day, stickiness DAU/MAU, and key events per user.
import { sql } from 'kysely';
import type { Db } from '../storage/index.js';
import { activity } from './activity-sql.js';
import { dayAligned, distinctDays, trailingCounts } from './counts-sql.js';
import { dayOf, type DistinctDays } from './profile-counts.js';
import type { EngagementAnswer } from './query-schema.js';
import { bucketTable, n, personJoins, profileOf, ratio, type Scope } from './scope.js';
import { addDays, buckets, parseDate, type Bucket } from './time-buckets.js';

/** Trailing-window active counts from (day index, profile) pairs. Pure: days before `first` only feed the windows. */
export function trailingActives(pairs: readonly { day: number; profile: string }[], first: number, last: number) {
  const byDay = new Map<number, string[]>();
  for (const p of pairs) (byDay.get(p.day) ?? byDay.set(p.day, []).get(p.day)!).push(p.profile);
  const out: { day: number; dau: number; wau: number; mau: number }[] = [];
  const windows = [7, 30].map((len) => ({ len, counts: new Map<string, number>() }));
  const add = (w: (typeof windows)[number], day: number, delta: number) => {
    for (const id of byDay.get(day) ?? []) {
      const c = (w.counts.get(id) ?? 0) + delta;
      if (c === 0) w.counts.delete(id);
      else w.counts.set(id, c);
    }
  };
  for (let d = first - 29; d <= last; d++) {
    for (const w of windows) {
      add(w, d, 1);
      add(w, d - w.len, -1);
    }
    if (d >= first) out.push({ day: d, dau: new Set(byDay.get(d) ?? []).size, wau: windows[0].counts.size, mau: windows[1].counts.size });
  }
  return out;
}

/** (day index, profile) pairs of the days, through the per-person rollup (or the facts). */
async function activePairs(db: Db, scope: Scope, days: readonly Bucket[]) {
  const act = activity(days, days[0].lo, scope.hi);
  const rows = await sql<{ i: number; pid: string }>`
    WITH ${bucketTable(days)}
    SELECT b.i AS i, ${profileOf('h')} AS pid
    FROM b JOIN ${act.relation} ON h.hour >= b.lo AND h.hour < b.hi
    ${personJoins('h', scope.segment)}
    GROUP BY b.i, ${profileOf('h')}`.execute(db);
  return rows.rows.map((r) => ({ day: Number(r.i), profile: r.pid }));
}

/** The local days from 29 days before `from` to `to` (the first day's 30-day window full), index of `from`. */
export function engagementDays(scope: Pick<Scope, 'timeZone'>, from: string, to: string) {
  return { days: buckets(addDays(parseDate(from, 'from'), -29), parseDate(to, 'to'), 'day', scope.timeZone), first: 29 };
}

/** Per-day DAU/WAU/MAU and stickiness with their averages over the range; `g` when the caller read the counters already. */
export async function actives(db: Db, scope: Scope, from: string, to: string, g?: DistinctDays) {
  const { days, first } = engagementDays(scope, from, to);
  const trailing =
    scope.segment === undefined && dayAligned(days)
      ? trailingCounts(g ?? (await distinctDays(db, 'G', dayOf(days[0].lo), dayOf(days[days.length - 1].lo))), dayOf(days[first].lo), dayOf(days[days.length - 1].lo)).map(
          (d, i) => ({ ...d, day: first + i }),
        )
      : trailingActives(await activePairs(db, scope, days), first, days.length - 1);
  const series = trailing.map((d) => ({
    day: days[d.day].start,
    dau: d.dau,
    wau: d.wau,
    mau: d.mau,
    stickiness: ratio(d.dau, d.mau),
  }));
  const mean = (k: 'dau' | 'wau' | 'mau') => (series.length === 0 ? 0 : series.reduce((s, d) => s + d[k], 0) / series.length);
  return { series, averages: { dau: mean('dau'), wau: mean('wau'), mau: mean('mau'), stickiness: ratio(mean('dau'), mean('mau')) } };
}

export async function engagement(db: Db, scope: Scope, from: string, to: string, keyEvents: string[]): Promise<EngagementAnswer> {
  const { series, averages } = await actives(db, scope, from, to);
  let events: EngagementAnswer['keyEvents'] = [];
  if (keyEvents.length > 0) {
    const counted = await sql<{ name: string; events: number; users: number }>`
      SELECT f.name AS name, COUNT(*) AS events, COUNT(DISTINCT ${profileOf('f')}) AS users
      FROM analytics_events f ${personJoins('f', scope.segment)}
      WHERE f.name IN (${sql.join(keyEvents)}) AND f.ts >= ${scope.lo} AND f.ts < ${scope.hi}
      GROUP BY f.name`.execute(db);
    const byName = new Map(counted.rows.map((r) => [r.name, r]));
    events = keyEvents.map((event) => {
      const r = byName.get(event);
      return { event, count: n(r?.events), users: n(r?.users), perUser: ratio(n(r?.events), n(r?.users)) };
    });
  }
  return { days: series, averages, keyEvents: events };
}
