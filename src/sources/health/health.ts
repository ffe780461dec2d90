// Source health, read from what the log and failed events already hold (no work on the ingest
// path): events received per hour over the last 24 h, last seen, failures by stage and code.
import { sql } from 'kysely';
import type { Db } from '../../storage/index.js';
import type { SourceHealth } from './schema.js';

const HOUR_MS = 3600_000;
const HOURS = 24;


export async function sourceHealth(db: Db, sourceId: string, now: number): Promise<SourceHealth> {
  const firstHour = Math.floor(now / HOUR_MS) - (HOURS - 1);
  const since = firstHour * HOUR_MS;
  // A literal, not a parameter: a bound number may arrive as a float and turn this into real division.
  const bucket = sql<number>`received_at / ${sql.lit(HOUR_MS)}`;
  const [perHour, last, errors] = await Promise.all([
    db
      .selectFrom('events')
      .select([bucket.as('hour'), sql<number>`count(*)`.as('n')])
      .where('source_id', '=', sourceId)
      .where('received_at', '>=', since)
      .groupBy(bucket)
      .execute(),
    db.selectFrom('events').select((eb) => eb.fn.max('received_at').as('at')).where('source_id', '=', sourceId).executeTakeFirst(),
    db
      .selectFrom('failed_events')
      .select(['stage', 'code', sql<number>`count(*)`.as('n'), (eb) => eb.fn.max('failed_at').as('last_at')])
      .where('source_id', '=', sourceId)
      .where('failed_at', '>=', now - HOURS * HOUR_MS)
      .groupBy(['stage', 'code'])
      .orderBy('stage')
      .orderBy('code')
      .execute(),
  ]);
  const counts = new Map(perHour.map((r) => [Number(r.hour), Number(r.n)]));
  const hourly = Array.from({ length: HOURS }, (_, i) => ({ hour: new Date((firstHour + i) * HOUR_MS).toISOString(), events: counts.get(firstHour + i) ?? 0 }));
  const lastAt = last?.at === null || last?.at === undefined ? null : Number(last.at);
  return {
    sourceId,
    lastSeenAt: lastAt === null ? null : new Date(lastAt).toISOString(),
    eventsLast24h: hourly.reduce((n, h) => n + h.events, 0),
    hourly,
    errorsLast24h: errors.reduce((n, e) => n + Number(e.n), 0),
    errors: errors.map((e) => ({ stage: e.stage, code: e.code, count: Number(e.n), lastAt: new Date(Number(e.last_at)).toISOString() })),
  };
}
