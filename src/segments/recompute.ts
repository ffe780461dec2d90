// The batch path: recomputes whole segments with the SQL compiler, diffs the new member set against
// segment_memberships in SQL (no member list in memory, whatever the size) and writes the changes and
// the feed rows in the caller's transaction. Then arms timers for the time-based changes to come.
import { sql, type Transaction } from 'kysely';
import type { Database, Dialect } from '../storage/index.js';
import type { Catalog, SegmentDef } from './catalog.js';
import { compileCondition, timerCandidatesSql, type SqlContext } from './compile-sql.js';
import { MEMBERSHIP_FEED_LOCK } from './reevaluate.js';

type Trx = Transaction<Database>;

export interface RecomputeResult {
  segmentId: string;
  entered: number;
  exited: number;
}

/** Recomputes `segments` (dependency order) at `now`. */
export async function recomputeSegments(trx: Trx, dialect: Dialect, catalog: Catalog, segments: SegmentDef[], now: number) {
  await dialect.lockName(trx, MEMBERSHIP_FEED_LOCK);
  const ctx: SqlContext = { dialect, now, tagSegments: catalog.tagSegments };
  const results: RecomputeResult[] = [];
  for (const s of segments) results.push(await recomputeOne(trx, s, ctx));
  return results;
}

async function recomputeOne(trx: Trx, segment: SegmentDef, ctx: SqlContext): Promise<RecomputeResult> {
  const id = segment.id;
  await trx.deleteFrom('segment_batch').where('segment_id', '=', id).execute();
  await sql`INSERT INTO segment_batch (segment_id, profile_id)
    SELECT ${id}, p.id FROM profiles AS p WHERE ${compileCondition(segment.rule.root, ctx)}`.execute(trx);

  const isNew = sql`NOT EXISTS (SELECT 1 FROM segment_memberships AS m WHERE m.segment_id = b.segment_id AND m.profile_id = b.profile_id)`;
  const gone = sql`NOT EXISTS (SELECT 1 FROM segment_batch AS b WHERE b.segment_id = m.segment_id AND b.profile_id = m.profile_id)`;
  const entered = await sql`INSERT INTO membership_changes (segment_id, profile_id, kind, at, trigger_seq)
    SELECT b.segment_id, b.profile_id, 'entered', ${ctx.now}, NULL FROM segment_batch AS b WHERE b.segment_id = ${id} AND ${isNew}
    ORDER BY b.profile_id`.execute(trx);
  await sql`INSERT INTO segment_memberships (segment_id, profile_id, entered_at, trigger_seq)
    SELECT b.segment_id, b.profile_id, ${ctx.now}, NULL FROM segment_batch AS b WHERE b.segment_id = ${id} AND ${isNew}`.execute(trx);
  const exited = await sql`INSERT INTO membership_changes (segment_id, profile_id, kind, at, trigger_seq)
    SELECT m.segment_id, m.profile_id, 'exited', ${ctx.now}, NULL FROM segment_memberships AS m WHERE m.segment_id = ${id} AND ${gone}
    ORDER BY m.profile_id`.execute(trx);
  await sql`DELETE FROM segment_memberships AS m WHERE m.segment_id = ${id} AND ${gone}`.execute(trx);
  await trx.deleteFrom('segment_batch').where('segment_id', '=', id).execute();

  const candidates = timerCandidatesSql(segment.rule.root, ctx);
  if (candidates.length > 0) {
    // Keep the earlier of an existing timer and this segment's next instant.
    await sql`INSERT INTO segment_timers (profile_id, due_at)
      SELECT c.profile_id, MIN(c.t) FROM (${sql.join(candidates, sql` UNION ALL `)}) AS c
      WHERE EXISTS (SELECT 1 FROM profiles AS p WHERE p.id = c.profile_id) GROUP BY c.profile_id
      ON CONFLICT (profile_id) DO UPDATE SET due_at = CASE WHEN excluded.due_at < segment_timers.due_at THEN excluded.due_at ELSE segment_timers.due_at END`.execute(trx);
  }
  return { segmentId: id, entered: Number(entered.numAffectedRows ?? 0), exited: Number(exited.numAffectedRows ?? 0) };
}

/** Exits every member (the feed records each exit) before a segment is deleted. */
export async function exitAll(trx: Trx, dialect: Dialect, segmentId: string, now: number) {
  await dialect.lockName(trx, MEMBERSHIP_FEED_LOCK);
  await sql`INSERT INTO membership_changes (segment_id, profile_id, kind, at, trigger_seq)
    SELECT segment_id, profile_id, 'exited', ${now}, NULL FROM segment_memberships WHERE segment_id = ${segmentId} ORDER BY profile_id`.execute(trx);
  await trx.deleteFrom('segment_memberships').where('segment_id', '=', segmentId).execute();
}
