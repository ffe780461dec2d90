// The dashboard's figures, read from what the stores already hold: counts, events per day (through
// the log's per-source received_at index, one range per source) and the RFM distribution.
import { sql } from 'kysely';
import type { Db } from '../storage/index.js';
import '../segments/tables.js';
import '../destinations/tables.js';
import { OVERVIEW_DAYS, type Overview } from './schema.js';

const DAY_MS = 86_400_000;

export async function overview(db: Db, now: number): Promise<Overview> {
  const firstDay = Math.floor(now / DAY_MS) - (OVERVIEW_DAYS - 1);
  const count = async (table: 'sources' | 'profiles' | 'segments' | 'destinations') =>
    Number((await db.selectFrom(table).select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow()).n);
  const sourceIds = (await db.selectFrom('sources').select('id').execute()).map((s) => s.id);
  // A literal, not a parameter: a bound number may arrive as a float and turn this into real division.
  const bucket = sql<number>`received_at / ${sql.lit(DAY_MS)}`;
  const perDay = new Map<number, number>();
  for (const sourceId of sourceIds) {
    const rows = await db
      .selectFrom('events')
      .select([bucket.as('day'), sql<number>`count(*)`.as('n')])
      .where('source_id', '=', sourceId)
      .where('received_at', '>=', firstDay * DAY_MS)
      .groupBy(bucket)
      .execute();
    for (const r of rows) perDay.set(Number(r.day), (perDay.get(Number(r.day)) ?? 0) + Number(r.n));
  }
  const [grid, segments, last] = await Promise.all([
    db.selectFrom('rfm_scores').select(['r', 'f', sql<number>`count(*)`.as('n')]).groupBy(['r', 'f']).execute(),
    db.selectFrom('rfm_scores').select(['segment', sql<number>`count(*)`.as('n')]).groupBy('segment').orderBy('segment').execute(),
    db.selectFrom('rfm_settings').select('last_run_at').executeTakeFirst(),
  ]);
  const [sources, profiles, segmentCount, destinations] = await Promise.all([count('sources'), count('profiles'), count('segments'), count('destinations')]);
  return {
    counts: { sources, profiles, segments: segmentCount, destinations },
    eventsPerDay: Array.from({ length: OVERVIEW_DAYS }, (_, i) => ({
      day: new Date((firstDay + i) * DAY_MS).toISOString().slice(0, 10),
      events: perDay.get(firstDay + i) ?? 0,
    })),
    rfm: {
      grid: grid.map((g) => ({ r: Number(g.r), f: Number(g.f), profiles: Number(g.n) })),
      segments: segments.map((s) => ({ segment: s.segment, profiles: Number(s.n) })),
      computedAt: last?.last_run_at == null ? null : new Date(Number(last.last_run_at)).toISOString(),
    },
  };
}
