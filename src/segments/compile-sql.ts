// The batch evaluator: compiles rules to SQL booleans over `profiles AS p` LEFT JOIN the profile's event
// measures `a` (event-measures.ts: one grouped pass over profile_events for all rules at once), portable
// to SQLite and PostgreSQL. It must mean exactly what evaluate.ts means; every leaf is COALESCEd so that
// NULL (missing data, or a profile without events) is false, as in the incremental evaluator.
import { sql, type RawBuilder } from 'kysely';
import type { Dialect } from '../storage/index.js';
import type { Condition, EventCondition, Rule, SequenceCondition } from './rule-schema.js';
import type { RuleContext } from './profile-state.js';
import { EventMeasures, NEXT_CHANGE_COLUMN } from './event-measures.js';
import { and, bool, cmp, eventMatchSql, or, valueTestSql, windowSql, type Bool } from './match-sql.js';
import { durationMs, windowOffsets } from './time.js';
import { splitPath } from './value-test.js';

export interface SqlContext extends RuleContext {
  dialect: Dialect;
  now: number;
  /** Where event conditions register the per-profile numbers they read (as columns of `a`). */
  measures: EventMeasures;
}

export function compileCondition(c: Condition, ctx: SqlContext): Bool {
  const d = ctx.dialect;
  switch (c.type) {
    case 'and':
      return and(c.conditions.map((x) => compileCondition(x, ctx)));
    case 'or':
      return or(c.conditions.map((x) => compileCondition(x, ctx)));
    case 'not':
      return sql<boolean>`NOT ${compileCondition(c.condition, ctx)}`;
    case 'trait': {
      const onIndex = ctx.encrypted?.indexTest(c);
      if (onIndex) return valueTestSql(onIndex, d, sql`${sql.ref('p.pii_index')}`, splitPath(c.path));
      return valueTestSql(c, d, sql`${sql.ref(`p.${c.source === 'computed' ? 'computed' : 'traits'}`)}`, splitPath(c.path));
    }
    case 'event':
      return eventSql(c, ctx);
    case 'sequence':
      return sequenceSql(c, ctx);
    case 'occurrence': {
      const at = ctx.measures.occurrence(c, c.which);
      const cutoff = ctx.now - durationMs(c.duration);
      return bool(c.op === 'less_than_ago' ? sql`${at} > ${cutoff}` : sql`${at} <= ${cutoff}`);
    }
    case 'segment':
      return memberOfSql([c.segmentId]);
    case 'tag': {
      const manual = sql<boolean>`EXISTS (SELECT 1 FROM profile_tags AS pt WHERE pt.tag = ${c.tag} AND pt.profile_id = p.id)`;
      const ids = ctx.tagSegments.get(c.tag) ?? [];
      return ids.length === 0 ? manual : or([manual, memberOfSql(ids)]);
    }
    case 'rfm': {
      const column = { rfm_r: 'r', rfm_f: 'f', rfm_m: 'm' }[c.score];
      return bool(cmp(sql`(SELECT rs.${sql.raw(column)} FROM rfm_scores AS rs WHERE rs.profile_id = p.id)`, c.op, c.value));
    }
    case 'rfm_segment':
      return sql<boolean>`EXISTS (SELECT 1 FROM rfm_scores AS rs WHERE rs.profile_id = p.id AND rs.segment IN (${sql.join(c.in)}))`;
    case 'prediction':
      return bool(cmp(sql`(SELECT ps.${sql.raw(c.trait)} FROM prediction_scores AS ps WHERE ps.profile_id = p.id)`, c.op, c.value));
  }
}

const memberOfSql = (ids: readonly string[]) =>
  sql<boolean>`EXISTS (SELECT 1 FROM segment_memberships AS sm WHERE sm.profile_id = p.id AND sm.segment_id IN (${sql.join([...ids])}))`;

function eventSql(c: EventCondition, ctx: SqlContext): Bool {
  const window = windowOffsets(c.window);
  const parts: Bool[] = [];
  if (c.count || !c.aggregate) {
    // A profile without events has no row in `a`: its count is 0.
    const n = sql`COALESCE(${ctx.measures.count(c, window)}, 0)`;
    const op = c.count ? { at_least: '>=', at_most: '<=', exactly: '=' }[c.count.op] : '>';
    parts.push(sql<boolean>`${n} ${sql.raw(op)} ${c.count?.value ?? 0}`);
  }
  if (c.aggregate) {
    const a = c.aggregate;
    parts.push(bool(cmp(ctx.measures.aggregate(c, window, a.fn, a.property), a.op, a.value)));
  }
  const ok = and(parts);
  return c.did === false ? sql<boolean>`NOT ${ok}` : ok;
}

/** Pairs of events: a correlated lookup per profile through the (profile_id, event, ts) index. */
function sequenceSql(c: SequenceCondition, ctx: SqlContext): Bool {
  const d = ctx.dialect;
  const within = durationMs(c.within);
  const followed = sql<boolean>`EXISTS (SELECT 1 FROM profile_events AS sq2 WHERE ${eventMatchSql('sq2', c.then, d)}
    AND sq2.seq <> sq1.seq AND sq2.ts >= sq1.ts AND sq2.ts <= sq1.ts + ${within})`;
  const first = [eventMatchSql('sq1', c.first, d, true, windowSql('sq1', windowOffsets(c.window), ctx.now))];
  const tail =
    c.mode === 'followed' ? [followed] : [sql<boolean>`sq1.ts <= ${ctx.now - within}`, sql<boolean>`NOT ${followed}`];
  return sql<boolean>`EXISTS (SELECT 1 FROM profile_events AS sq1 WHERE ${and([...first, ...tail])})`;
}

/**
 * Every profile as `p` with its event measures as `a`: from the materialised table `source` (a batch
 * recompute), else from the grouped pass inline. Call after compiling: the pass holds what was registered.
 */
export function profilesWithMeasures(measures: EventMeasures, source?: string): RawBuilder<unknown> {
  if (measures.isEmpty) return sql`profiles AS p`;
  const a = source ? sql.table(source) : sql`(${measures.select()})`;
  return sql`profiles AS p LEFT JOIN ${a} AS a ON a.profile_id = p.id`;
}

export const newSqlContext = (dialect: Dialect, now: number, tagSegments: RuleContext['tagSegments'], encrypted?: RuleContext['encrypted']): SqlContext => ({
  dialect,
  now,
  tagSegments,
  encrypted,
  measures: new EventMeasures(dialect, now),
});

/** Id and traits of every profile matching `rule` at `now` (one query; preview and tests). */
export function matchingProfilesSql(rule: Rule, ctx: Omit<SqlContext, 'measures'>) {
  const c = newSqlContext(ctx.dialect, ctx.now, ctx.tagSegments, ctx.encrypted);
  const where = compileCondition(rule.root, c);
  return sql<{ id: string; traits: unknown }>`SELECT p.id AS id, p.traits AS traits FROM ${profilesWithMeasures(c.measures)} WHERE ${where}`;
}

/**
 * Rows (profile_id, t): for every profile whose result could change with no new data, the earliest such
 * instant after `now` — next-change.ts in SQL, to arm timers after a batch recompute. `source` as above.
 */
export function nextChangesSql(measures: EventMeasures, source?: string) {
  const a = source ? sql.table(source) : sql`(${measures.select()})`;
  const t = sql.ref(`a.${NEXT_CHANGE_COLUMN}`);
  return sql<{ profile_id: string; t: number }>`SELECT a.profile_id AS profile_id, ${t} AS t FROM ${a} AS a
    WHERE ${t} IS NOT NULL AND EXISTS (SELECT 1 FROM profiles AS p WHERE p.id = a.profile_id)`;
}
