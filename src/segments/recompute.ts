// The batch path: recomputes whole segments with the SQL compiler, diffs the new member set against
// segment_memberships in SQL (no member list in memory, whatever the size) and writes the changes and
// the feed rows in the caller's transaction. Then arms timers for the time-based changes to come.
// The event measures of all the segments are computed first by one grouped pass over profile_events
// (event-measures.ts); each segment then reads them per profile instead of scanning events again.
import { sql, type RawBuilder, type Transaction } from 'kysely';
import type { Database, Dialect } from '../storage/index.js';
import { compileCondition, newSqlContext, nextChangesSql, profilesWithMeasures } from './compile-sql.js';
import { MEMBERSHIP_FEED_LOCK } from './reevaluate.js';
import { references, type Catalog, type SegmentDef } from './catalog.js';

type Trx = Transaction<Database>;

export interface RecomputeResult {
  segmentId: string;
  entered: number;
  exited: number;
}

/** Temp tables of one recompute (per connection, no journal writes): event measures, new member sets. */
const MEASURES = 'segment_event_measures';
const BATCH = 'segment_batch_members';
const FLAGS = 'segment_batch_flags';

type Compiled = { id: string; where: RawBuilder<boolean> };

/** Recomputes `segments` (dependency order) at `now`. */
export async function recomputeSegments(trx: Trx, dialect: Dialect, catalog: Catalog, segments: SegmentDef[], now: number) {
  await dialect.lockName(trx, MEMBERSHIP_FEED_LOCK);
  const ctx = newSqlContext(dialect, now, catalog.tagSegments, catalog.encrypted);
  const compiled = segments.map((s) => ({ id: s.id, where: compileCondition(s.rule.root, ctx) }));
  for (const s of segments) ctx.measures.addTimeBoundaries(s.rule.root);
  const measured = !ctx.measures.isEmpty;
  if (measured) await ctx.measures.materialise(trx, MEASURES);
  const from = profilesWithMeasures(ctx.measures, measured ? MEASURES : undefined);

  await sql`CREATE TEMP TABLE ${sql.table(BATCH)} (segment_id TEXT NOT NULL, profile_id TEXT NOT NULL, PRIMARY KEY (segment_id, profile_id))`.execute(trx);
  // Segments that read no membership written by this recompute are evaluated together, in one pass over
  // the profiles; the others one by one, in order, after the segments they read.
  const recomputed = new Set(segments.map((s) => s.id));
  const reads = (s: SegmentDef) => {
    const r = references(s.rule);
    return [...r.segments, ...[...r.tags].flatMap((t) => catalog.tagSegments.get(t) ?? [])].some((id) => recomputed.has(id));
  };
  const together = compiled.filter((_, i) => !reads(segments[i]));
  await fillBatch(trx, together, from);
  const results: RecomputeResult[] = [];
  for (const c of compiled) {
    if (!together.includes(c)) await fillBatch(trx, [c], from);
    results.push(await diffMembers(trx, c.id, now));
  }
  await sql`DROP TABLE ${sql.table(BATCH)}`.execute(trx);

  if (ctx.measures.hasNextChange) {
    // Keep the earlier of an existing timer and these segments' next instant.
    await sql`INSERT INTO segment_timers (profile_id, due_at) SELECT c.profile_id, c.t FROM (${nextChangesSql(ctx.measures, MEASURES)}) AS c
      WHERE TRUE
      ON CONFLICT (profile_id) DO UPDATE SET due_at = CASE WHEN excluded.due_at < segment_timers.due_at THEN excluded.due_at ELSE segment_timers.due_at END`.execute(trx);
  }
  if (measured) await ctx.measures.drop(trx, MEASURES);
  return results;
}

/** The new member sets of `segments` into BATCH: directly for one, through a temp table of flags for more. */
async function fillBatch(trx: Trx, segments: Compiled[], from: RawBuilder<unknown>) {
  const batch = sql.table(BATCH);
  if (segments.length === 1) {
    const [c] = segments;
    await sql`INSERT INTO ${batch} (segment_id, profile_id) SELECT ${c.id}, p.id FROM ${from} WHERE ${c.where}`.execute(trx);
    return;
  }
  if (segments.length === 0) return;
  const flag = (i: number) => sql.ref(`s${i}`);
  await sql`CREATE TEMP TABLE ${sql.table(FLAGS)} (profile_id TEXT NOT NULL, ${sql.join(segments.map((_, i) => sql`${flag(i)} BOOLEAN`))})`.execute(trx);
  await sql`INSERT INTO ${sql.table(FLAGS)} SELECT p.id, ${sql.join(segments.map((c) => c.where))} FROM ${from}`.execute(trx);
  for (const [i, c] of segments.entries())
    await sql`INSERT INTO ${batch} (segment_id, profile_id) SELECT ${c.id}, f.profile_id FROM ${sql.table(FLAGS)} AS f WHERE f.${flag(i)}`.execute(trx);
  await sql`DROP TABLE ${sql.table(FLAGS)}`.execute(trx);
}

/** The diff of BATCH against segment_memberships, with its feed rows. */
async function diffMembers(trx: Trx, id: string, now: number): Promise<RecomputeResult> {
  const batch = sql.table(BATCH);
  // Exits first: those scans then cover only the members from before, not the ones entering now.
  const gone = sql`NOT EXISTS (SELECT 1 FROM ${batch} AS b WHERE b.segment_id = m.segment_id AND b.profile_id = m.profile_id)`;
  const exited = await sql`INSERT INTO membership_changes (segment_id, profile_id, kind, at, trigger_seq)
    SELECT m.segment_id, m.profile_id, 'exited', ${now}, NULL FROM segment_memberships AS m WHERE m.segment_id = ${id} AND ${gone}
    ORDER BY m.profile_id`.execute(trx);
  if (Number(exited.numAffectedRows ?? 0) > 0) await sql`DELETE FROM segment_memberships AS m WHERE m.segment_id = ${id} AND ${gone}`.execute(trx);
  const isNew = sql`NOT EXISTS (SELECT 1 FROM segment_memberships AS m WHERE m.segment_id = b.segment_id AND m.profile_id = b.profile_id)`;
  const entered = await sql`INSERT INTO membership_changes (segment_id, profile_id, kind, at, trigger_seq)
    SELECT b.segment_id, b.profile_id, 'entered', ${now}, NULL FROM ${batch} AS b WHERE b.segment_id = ${id} AND ${isNew}
    ORDER BY b.profile_id`.execute(trx);
  // Members that stay keep their row (and entered_at).
  await sql`INSERT INTO segment_memberships (segment_id, profile_id, entered_at, trigger_seq)
    SELECT b.segment_id, b.profile_id, ${now}, NULL FROM ${batch} AS b WHERE b.segment_id = ${id}
    ON CONFLICT (segment_id, profile_id) DO NOTHING`.execute(trx);
  return { segmentId: id, entered: Number(entered.numAffectedRows ?? 0), exited: Number(exited.numAffectedRows ?? 0) };
}

/** Exits every member (the feed records each exit) before a segment is deleted. */
export async function exitAll(trx: Trx, dialect: Dialect, segmentId: string, now: number) {
  await dialect.lockName(trx, MEMBERSHIP_FEED_LOCK);
  await sql`INSERT INTO membership_changes (segment_id, profile_id, kind, at, trigger_seq)
    SELECT segment_id, profile_id, 'exited', ${now}, NULL FROM segment_memberships WHERE segment_id = ${segmentId} ORDER BY profile_id`.execute(trx);
  await trx.deleteFrom('segment_memberships').where('segment_id', '=', segmentId).execute();
}
