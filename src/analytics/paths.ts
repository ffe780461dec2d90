// Paths: what people do right after (or right before) an event or a page — the most frequent next or
// previous steps, in SQL with window functions over each profile's events. A gap over 30 minutes ends
// the path ('(end)'), as it ends a session.
import { sql } from 'kysely';
import type { Db } from '../storage/index.js';
import { PAGEVIEW } from './facts.js';
import type { PathsAnswer } from './query-schema.js';
import { n, personJoins, profileOf, type Scope } from './scope.js';
import { SESSION_GAP_MS } from './sessions.js';

export async function paths(db: Db, scope: Scope, q: { anchor: string; kind: 'events' | 'pages'; direction: 'next' | 'previous'; limit: number }): Promise<PathsAnswer> {
  const step = q.kind === 'pages' ? sql.raw(`COALESCE(f.path, '(unknown)')`) : sql.raw('f.name');
  const pagesOnly = q.kind === 'pages' ? sql`AND f.name = ${PAGEVIEW}` : sql``;
  const fn = sql.raw(q.direction === 'next' ? 'LEAD' : 'LAG');
  const gap = q.direction === 'next' ? sql.raw('s.other_ts - s.ts') : sql.raw('s.ts - s.other_ts');
  const rows = await sql<{ step: string; count: number }>`
    WITH s AS (
      SELECT ${step} AS step, f.ts AS ts,
        ${fn}(${step}) OVER w AS other, ${fn}(f.ts) OVER w AS other_ts
      FROM analytics_events f ${personJoins('f', scope.segment)}
      WHERE f.ts >= ${scope.lo} AND f.ts < ${scope.hi} ${pagesOnly}
      WINDOW w AS (PARTITION BY ${profileOf('f')} ORDER BY f.ts, f.seq))
    SELECT CASE WHEN s.other IS NULL OR ${gap} > ${sql.lit(SESSION_GAP_MS)} THEN '(end)' ELSE s.other END AS step, COUNT(*) AS count
    FROM s WHERE s.step = ${q.anchor}
    GROUP BY CASE WHEN s.other IS NULL OR ${gap} > ${sql.lit(SESSION_GAP_MS)} THEN '(end)' ELSE s.other END
    ORDER BY count DESC, step`.execute(db);
  const occurrences = rows.rows.reduce((s, r) => s + n(r.count), 0);
  return {
    anchor: q.anchor,
    direction: q.direction,
    occurrences,
    data: rows.rows.slice(0, q.limit).map((r) => ({ step: r.step, count: n(r.count), share: n(r.count) / occurrences })),
  };
}
