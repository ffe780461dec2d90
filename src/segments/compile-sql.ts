// The batch evaluator: compiles a rule to one SQL boolean over `profiles AS p`, portable to SQLite and
// PostgreSQL (JSON access through the dialect helpers). It must mean exactly what evaluate.ts means;
// every leaf is COALESCEd so that NULL (missing data) is false, as in the incremental evaluator.
import { sql, type RawBuilder } from 'kysely';
import type { Db, Dialect } from '../storage/index.js';
import type { Condition, EventSpec, EventCondition, Rule, SequenceCondition, ValueTest } from './rule-schema.js';
import type { RuleContext } from './profile-state.js';
import { durationMs, windowOffsets } from './time.js';
import { comparand, splitPath } from './value-test.js';
import { timeBoundaries } from './next-change.js';

export interface SqlContext extends RuleContext {
  dialect: Dialect;
  now: number;
}

type Bool = RawBuilder<boolean>;
const FALSE: Bool = sql<boolean>`FALSE`;
const or = (xs: Bool[]): Bool => (xs.length === 0 ? FALSE : sql<boolean>`(${sql.join(xs, sql` OR `)})`);
const and = (xs: Bool[]): Bool => sql<boolean>`(${sql.join(xs, sql` AND `)})`;
const bool = (x: RawBuilder<unknown>): Bool => sql<boolean>`COALESCE(${x}, FALSE)`;
const NUMBER_OPS = { equals: '=', gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;
const cmp = (a: RawBuilder<unknown>, op: keyof typeof NUMBER_OPS, b: number) => sql<boolean>`${a} ${sql.raw(NUMBER_OPS[op])} ${b}`;

function equalsSql(d: Dialect, ref: RawBuilder<unknown>, path: string[], value: string | number | boolean): Bool {
  if (typeof value === 'number') return bool(sql`${d.jsonNumber(ref, path)} = ${value}`);
  if (typeof value === 'string') return bool(sql`${d.jsonText(ref, path)} = ${value}`);
  return bool(sql`${d.jsonKind(ref, path)} = ${value ? 'true' : 'false'}`);
}

/** A value test on the JSON at `path` inside `ref`. */
export function valueTestSql(test: ValueTest, d: Dialect, ref: RawBuilder<unknown>, path: string[]): Bool {
  switch (test.op) {
    case 'equals':
      return equalsSql(d, ref, path, test.value);
    case 'not_equals':
      return sql<boolean>`NOT ${equalsSql(d, ref, path, test.value)}`;
    case 'in':
      return or(test.value.map((v) => equalsSql(d, ref, path, v)));
    case 'contains': {
      const t = d.jsonText(ref, path);
      if (test.value === '') return sql<boolean>`${t} IS NOT NULL`;
      return bool(sql`replace(${t}, ${test.value}, '') <> ${t}`);
    }
    case 'starts_with': {
      const t = d.jsonText(ref, path);
      if (test.value === '') return sql<boolean>`${t} IS NOT NULL`;
      // Characters, not UTF-16 units: SQL substr counts characters.
      return bool(sql`substr(${t}, 1, ${[...test.value].length}) = ${test.value}`);
    }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return bool(cmp(d.jsonNumber(ref, path), test.op, comparand(test.value)));
    case 'exists':
      return exists(d, ref, path);
    case 'not_exists':
      return sql<boolean>`NOT ${exists(d, ref, path)}`;
  }
}

const exists = (d: Dialect, ref: RawBuilder<unknown>, path: string[]) =>
  bool(sql`${d.jsonKind(ref, path)} <> 'null'`);

const col = (alias: string, column: string) => sql.ref(`${alias}.${column}`);

/** `alias` (a profile_events row) is a `spec` event of the outer profile p. */
export function eventMatchSql(alias: string, spec: EventSpec, d: Dialect, outer = true): Bool {
  const parts: Bool[] = [sql<boolean>`${col(alias, 'event')} = ${spec.event}`];
  if (outer) parts.unshift(sql<boolean>`${col(alias, 'profile_id')} = ${col('p', 'id')}`);
  for (const f of spec.where ?? []) parts.push(valueTestSql(f, d, sql`${col(alias, 'properties')}`, splitPath(f.property)));
  return and(parts);
}

function windowSql(alias: string, w: { fromMs: number; toMs: number } | undefined, now: number): Bool[] {
  if (!w) return [];
  return [sql<boolean>`${col(alias, 'ts')} > ${now - w.fromMs}`, sql<boolean>`${col(alias, 'ts')} <= ${now - w.toMs}`];
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
    case 'trait':
      return valueTestSql(c, d, sql`${col('p', c.source === 'computed' ? 'computed' : 'traits')}`, splitPath(c.path));
    case 'event':
      return eventSql(c, ctx);
    case 'sequence':
      return sequenceSql(c, ctx);
    case 'occurrence': {
      const at = sql`(SELECT ${sql.raw(c.which === 'first' ? 'MIN' : 'MAX')}(ev.ts) FROM profile_events AS ev WHERE ${eventMatchSql('ev', c, d)})`;
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
  }
}

const memberOfSql = (ids: readonly string[]) =>
  sql<boolean>`EXISTS (SELECT 1 FROM segment_memberships AS sm WHERE sm.profile_id = p.id AND sm.segment_id IN (${sql.join([...ids])}))`;

function eventSql(c: EventCondition, ctx: SqlContext): Bool {
  const d = ctx.dialect;
  const where = and([eventMatchSql('ev', c, d), ...windowSql('ev', windowOffsets(c.window), ctx.now)]);
  const parts: Bool[] = [];
  if (c.count) {
    const op = { at_least: '>=', at_most: '<=', exactly: '=' }[c.count.op];
    parts.push(sql<boolean>`(SELECT COUNT(*) FROM profile_events AS ev WHERE ${where}) ${sql.raw(op)} ${c.count.value}`);
  } else if (!c.aggregate) {
    parts.push(sql<boolean>`EXISTS (SELECT 1 FROM profile_events AS ev WHERE ${where})`);
  }
  if (c.aggregate) {
    const a = c.aggregate;
    const value = d.jsonNumber(sql`ev.properties`, splitPath(a.property));
    const agg = sql`(SELECT ${sql.raw(a.fn.toUpperCase())}(${value}) FROM profile_events AS ev WHERE ${where})`;
    parts.push(bool(cmp(agg, a.op, a.value)));
  }
  const ok = and(parts);
  return c.did === false ? sql<boolean>`NOT ${ok}` : ok;
}

function sequenceSql(c: SequenceCondition, ctx: SqlContext): Bool {
  const d = ctx.dialect;
  const within = durationMs(c.within);
  const followed = sql<boolean>`EXISTS (SELECT 1 FROM profile_events AS sq2 WHERE ${eventMatchSql('sq2', c.then, d)}
    AND sq2.seq <> sq1.seq AND sq2.ts >= sq1.ts AND sq2.ts <= sq1.ts + ${within})`;
  const first = [eventMatchSql('sq1', c.first, d), ...windowSql('sq1', windowOffsets(c.window), ctx.now)];
  const tail =
    c.mode === 'followed' ? [followed] : [sql<boolean>`sq1.ts <= ${ctx.now - within}`, sql<boolean>`NOT ${followed}`];
  return sql<boolean>`EXISTS (SELECT 1 FROM profile_events AS sq1 WHERE ${and([...first, ...tail])})`;
}

/** The ids of every profile matching `rule` at ctx.now. */
export const matchingProfilesQuery = (db: Db, rule: Rule, ctx: SqlContext) =>
  db.selectFrom('profiles as p').select('p.id').where(compileCondition(rule.root, ctx));

/**
 * Rows (profile_id, t) of every instant after now at which `rule` could change for a profile with no
 * new data — next-change.ts's boundaries in SQL, used to arm timers after a batch recompute.
 */
export function timerCandidatesSql(c: Condition, ctx: SqlContext): RawBuilder<unknown>[] {
  return timeBoundaries(c).flatMap(({ spec, offsets }) =>
    offsets.map(
      (offset) => sql`SELECT ev.profile_id AS profile_id, ev.ts + ${offset} AS t FROM profile_events AS ev
        WHERE ${eventMatchSql('ev', spec, ctx.dialect, false)} AND ev.ts > ${ctx.now - offset}`,
    ),
  );
}
