// A query's window made concrete: the validated dates, the buckets in the time zone, the segment, and
// the SQL pieces every analytics query shares (the bucket table, person → current profile, the
// segment filter).
import { sql, type RawBuilder } from 'kysely';
import { AppError } from '../shared/errors.js';
import type { Db } from '../storage/index.js';
import '../segments/tables.js';
import { BREAKDOWNS, MAX_BUCKETS, MAX_RANGE_DAYS, type Breakdown } from './query-schema.js';
import { buckets, checkTimeZone, DAY_MS, parseDate, type Bucket, type Granularity } from './time-buckets.js';

export interface Scope {
  timeZone: string;
  granularity: Granularity;
  buckets: Bucket[];
  /** First and last-plus-one instant of the range. */
  lo: number;
  hi: number;
  segment?: string;
  breakdown?: Breakdown;
}

export interface ScopeInput {
  from: string;
  to: string;
  timeZone?: string;
  granularity?: Granularity;
  segment?: string;
  breakdown?: Breakdown;
}

/** Validates the window (invalid_query, unknown_segment) and computes its buckets. */
export async function resolveScope(db: Db, q: ScopeInput): Promise<Scope> {
  const timeZone = q.timeZone ?? 'UTC';
  checkTimeZone(timeZone);
  const from = parseDate(q.from, 'from');
  const to = parseDate(q.to, 'to');
  const days = (Date.UTC(to[0], to[1] - 1, to[2]) - Date.UTC(from[0], from[1] - 1, from[2])) / DAY_MS + 1;
  if (days < 1) throw new AppError('invalid_query', 400, `from (${q.from}) is after to (${q.to})`, { field: 'to' });
  if (days > MAX_RANGE_DAYS) throw new AppError('invalid_query', 400, `the range spans ${days} days; at most ${MAX_RANGE_DAYS} are allowed`, { field: 'to' });
  const granularity = q.granularity ?? 'day';
  const bs = buckets(from, to, granularity, timeZone);
  if (bs.length > MAX_BUCKETS)
    throw new AppError('invalid_query', 400, `${bs.length} ${granularity} buckets; at most ${MAX_BUCKETS}: choose a coarser granularity or a shorter range`, { field: 'granularity' });
  if (q.breakdown !== undefined && !BREAKDOWNS.includes(q.breakdown)) throw new AppError('invalid_query', 400, `unknown breakdown ${q.breakdown}`, { field: 'breakdown' });
  await checkSegment(db, q.segment);
  return { timeZone, granularity, buckets: bs, lo: bs[0].lo, hi: bs[bs.length - 1].hi, segment: q.segment, breakdown: q.breakdown };
}

/** unknown_segment (422) unless the segment exists. */
export async function checkSegment(db: Db, segment: string | undefined): Promise<void> {
  if (segment === undefined) return;
  const found = await db.selectFrom('segments').select('id').where('id', '=', segment).executeTakeFirst();
  if (!found) throw new AppError('unknown_segment', 422, `no segment with id ${segment}`, { field: 'segment' });
}

/** `b(i, lo, hi)` for a WITH clause: the buckets as a table, joined with `t >= b.lo AND t < b.hi`. */
export function bucketTable(bs: readonly Bucket[], name = 'b'): RawBuilder<unknown> {
  const rows = bs.map((b, i) => sql`(${sql.lit(i)}, ${sql.lit(b.lo)}, ${sql.lit(b.hi)})`);
  return sql`${sql.raw(name)}(i, lo, hi) AS (VALUES ${sql.join(rows)})`;
}

/**
 * Joins after a relation aliased `alias` with a `person` column: `ii` (the identifier's current profile)
 * and, with a segment, its membership. Use `profileOf(alias)` for the person's profile id.
 */
export function personJoins(alias: string, segment: string | undefined): RawBuilder<unknown> {
  const a = sql.raw(alias);
  const member = segment === undefined ? sql`` : sql` JOIN segment_memberships sm ON sm.profile_id = ii.profile_id AND sm.segment_id = ${segment}`;
  return sql`LEFT JOIN identity_identifiers ii ON ii.key = ${a}.person${member}`;
}

/** The profile an identity key belongs to today (the key itself until identity resolved it). */
export const profileOf = (alias: string) => sql.raw(`COALESCE(ii.profile_id, ${alias}.person)`);

/** The breakdown column of `alias`, or a constant NULL group. */
export const groupOf = (alias: string, breakdown: Breakdown | undefined) => (breakdown ? sql.raw(`${alias}.${breakdown}`) : sql.raw('NULL'));

export const n = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
export const ratio = (a: number, b: number) => (b === 0 ? null : a / b);
