// POST /v1/analytics/funnels: reads the events of the funnel's steps (with their property filters, on
// the timeline's properties) from the range start to its end plus the window, and computes the
// conversion per person (funnel-core.ts).
import { sql, type RawBuilder } from 'kysely';
import { AppError } from '../shared/errors.js';
import type { Db, Dialect } from '../storage/index.js';
import { bestConversion, summarise, type Conversion, type StepHit } from './funnel-core.js';
import { MAX_FUNNEL_WINDOW_S, type FunnelAnswer, type FunnelQuery, type PropertyFilter } from './query-schema.js';
import { groupOf, personJoins, profileOf, type Scope } from './scope.js';

const OPS = { eq: '=', neq: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

function filterSql(dialect: Dialect, f: PropertyFilter): RawBuilder<unknown> {
  const path = f.property.split('.');
  const ref = sql.ref('pe.properties');
  if (f.op === 'contains') {
    if (typeof f.value !== 'string') throw new AppError('invalid_query', 400, `contains needs a string value (${f.property})`, { field: 'steps' });
    return sql`${dialect.jsonText(ref, path)} LIKE ${'%' + f.value.replace(/[%_\\]/g, (c) => '\\' + c) + '%'} ESCAPE '\\'`;
  }
  if (typeof f.value === 'boolean') return sql`${dialect.jsonKind(ref, path)} ${sql.raw(f.op === 'neq' ? '<>' : '=')} ${String(f.value)}`;
  const value = typeof f.value === 'number' ? dialect.jsonNumber(ref, path) : dialect.jsonText(ref, path);
  return sql`${value} ${sql.raw(OPS[f.op])} ${f.value}`;
}

export async function funnel(db: Db, dialect: Dialect, scope: Scope, q: FunnelQuery): Promise<FunnelAnswer> {
  if (q.windowSeconds > MAX_FUNNEL_WINDOW_S)
    throw new AppError('invalid_query', 400, `windowSeconds ${q.windowSeconds} is over the maximum of ${MAX_FUNNEL_WINDOW_S} (90 days)`, { field: 'windowSeconds' });
  const windowMs = q.windowSeconds * 1000;
  const hits = new Map<string, { hits: StepHit[]; groups: Map<number, string | null> }>();
  for (const [step, s] of q.steps.entries()) {
    const filters = (s.where ?? []).map((f) => filterSql(dialect, f));
    const timeline = filters.length > 0 ? sql`JOIN profile_events pe ON pe.seq = f.seq` : sql``;
    const where = filters.length > 0 ? sql` AND ${sql.join(filters, sql` AND `)}` : sql``;
    const rows = await sql<{ pid: string; ts: number; seq: number; grp: string | null }>`
      SELECT ${profileOf('f')} AS pid, f.ts AS ts, f.seq AS seq, ${groupOf('f', scope.breakdown)} AS grp
      FROM analytics_events f ${timeline} ${personJoins('f', scope.segment)}
      WHERE f.name = ${s.event} AND f.ts >= ${scope.lo} AND f.ts < ${scope.hi + windowMs}${where}`.execute(db);
    for (const r of rows.rows) {
      const h = hits.get(r.pid) ?? hits.set(r.pid, { hits: [], groups: new Map() }).get(r.pid)!;
      h.hits.push({ step, ts: Number(r.ts), seq: Number(r.seq) });
      if (step === 0) h.groups.set(Number(r.seq), r.grp);
    }
  }
  const conversions: { c: Conversion; group: string | null }[] = [];
  for (const person of hits.values()) {
    person.hits.sort((a, b) => a.ts - b.ts || a.seq - b.seq || a.step - b.step);
    const c = bestConversion(person.hits, q.steps.length, windowMs, scope.lo, scope.hi);
    if (c) conversions.push({ c, group: person.groups.get(c.start.seq) ?? null });
  }
  const events = q.steps.map((s) => s.event);
  const groups = new Map<string, Conversion[]>();
  if (scope.breakdown) for (const { c, group } of conversions) (groups.get(group ?? '') ?? groups.set(group ?? '', []).get(group ?? '')!).push(c);
  return {
    steps: summarise(conversions.map((x) => x.c), events),
    groups: [...groups.entries()].sort((a, b) => b[1].length - a[1].length).map(([group, cs]) => ({ group, steps: summarise(cs, events) })),
  };
}
