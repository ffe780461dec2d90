// Web analytics: sessions (30-minute rule), bounce rate, session length, dwell per page, entry and exit
// pages, and sessions by referrer and by channel/campaign (UTM), from the event facts of the range.
import { sql } from 'kysely';
import type { Db } from '../storage/index.js';
import { PAGEVIEW } from './facts.js';
import type { WebAnswer } from './query-schema.js';
import { personJoins, profileOf, ratio, type Scope } from './scope.js';
import { sessionize, type Session, type SessionEvent } from './sessions.js';

const top = <T>(m: Map<string, T>, score: (v: T) => number, limit: number) => [...m.entries()].sort((a, b) => score(b[1]) - score(a[1]) || (a[0] < b[0] ? -1 : 1)).slice(0, limit);
const bump = <T>(m: Map<string, T>, key: string, init: () => T, f: (v: T) => void) => f(m.get(key) ?? m.set(key, init()).get(key)!);

/** The answer from sessions (pure): `bucketOf` gives a session's bucket index from its start. */
export function webFigures(sessions: readonly Session[], starts: readonly string[], bucketOf: (ts: number) => number, limit: number): WebAnswer {
  const series = starts.map((start) => ({ start, sessions: 0, pageviews: 0, bounces: 0 }));
  const entry = new Map<string, { sessions: number; bounces: number }>();
  const exit = new Map<string, number>();
  const pages = new Map<string, { views: number; dwell: number; timed: number }>();
  const refs = new Map<string, { sessions: number; bounces: number }>();
  const camps = new Map<string, { channel: string; campaign: string; sessions: number; bounces: number }>();
  let bounces = 0;
  let length = 0;
  let dwell = 0;
  let timed = 0;
  let views = 0;
  for (const s of sessions) {
    const bounce = s.events === 1 ? 1 : 0;
    bounces += bounce;
    length += (s.end - s.start) / 1000;
    views += s.pageviews;
    const b = series[bucketOf(s.start)];
    if (b) {
      b.sessions++;
      b.pageviews += s.pageviews;
      b.bounces += bounce;
    }
    if (s.entry) bump(entry, s.entry, () => ({ sessions: 0, bounces: 0 }), (v) => ((v.sessions += 1), (v.bounces += bounce)));
    if (s.exit) exit.set(s.exit, (exit.get(s.exit) ?? 0) + 1);
    for (const p of s.pages) bump(pages, p, () => ({ views: 0, dwell: 0, timed: 0 }), (v) => v.views++);
    for (const [p, sec] of s.dwell) {
      bump(pages, p, () => ({ views: 0, dwell: 0, timed: 0 }), (v) => ((v.dwell += sec), v.timed++));
      dwell += sec;
      timed++;
    }
    bump(refs, s.referrer ?? '(direct)', () => ({ sessions: 0, bounces: 0 }), (v) => ((v.sessions += 1), (v.bounces += bounce)));
    bump(camps, `${s.channel}\u0000${s.campaign}`, () => ({ channel: s.channel, campaign: s.campaign, sessions: 0, bounces: 0 }), (v) => ((v.sessions += 1), (v.bounces += bounce)));
  }
  return {
    sessions: sessions.length,
    pageviews: views,
    bounceRate: ratio(bounces, sessions.length),
    avgSessionSeconds: ratio(length, sessions.length),
    avgDwellSeconds: ratio(dwell, timed),
    series,
    entryPages: top(entry, (v) => v.sessions, limit).map(([path, v]) => ({ path, sessions: v.sessions, bounceRate: ratio(v.bounces, v.sessions) })),
    exitPages: top(exit, (v) => v, limit).map(([path, sessions]) => ({ path, sessions })),
    pages: top(pages, (v) => v.views, limit).map(([path, v]) => ({ path, pageviews: v.views, avgDwellSeconds: ratio(v.dwell, v.timed) })),
    referrers: top(refs, (v) => v.sessions, limit).map(([referrer, v]) => ({ referrer, sessions: v.sessions, bounceRate: ratio(v.bounces, v.sessions) })),
    campaigns: top(camps, (v) => v.sessions, limit).map(([, v]) => ({ channel: v.channel, campaign: v.campaign, sessions: v.sessions, bounceRate: ratio(v.bounces, v.sessions) })),
  };
}

export async function web(db: Db, scope: Scope, limit: number): Promise<WebAnswer> {
  const rows = await sql<SessionEvent & { pid: string }>`
    SELECT ${profileOf('f')} AS pid, f.ts AS ts, f.name AS name, f.path AS path, f.referrer AS referrer, f.channel AS channel, f.campaign AS campaign
    FROM analytics_events f ${personJoins('f', scope.segment)}
    WHERE f.ts >= ${scope.lo} AND f.ts < ${scope.hi}
    ORDER BY ${profileOf('f')}, f.ts, f.seq`.execute(db);
  const sessions: Session[] = [];
  let run: SessionEvent[] = [];
  let pid: string | null = null;
  for (const r of rows.rows) {
    if (r.pid !== pid) {
      sessions.push(...sessionize(run, PAGEVIEW));
      run = [];
      pid = r.pid;
    }
    run.push({ ...r, ts: Number(r.ts) });
  }
  sessions.push(...sessionize(run, PAGEVIEW));
  const bs = scope.buckets;
  const bucketOf = (ts: number) => {
    let lo = 0;
    let hi = bs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (bs[mid].lo <= ts) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  return webFigures(sessions, bs.map((b) => b.start), bucketOf, limit);
}
