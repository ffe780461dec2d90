// RFM: recency / frequency / monetary quintile scores (1–5, 5 best) of every profile that purchased,
// and a named RFM segment, computed in batch SQL. Rules use them (rfm, rfm_segment conditions); the
// segments that do are recomputed in the same transaction as the scores.
import { sql } from 'kysely';
import type { Db, Dialect } from '../storage/index.js';
import type { Clock } from '../shared/clock.js';
import { loadCatalog } from './store.js';
import { references, withDependents } from './catalog.js';
import { recomputeSegments } from './recompute.js';
import { MEMBERSHIP_FEED_LOCK } from './reevaluate.js';
import type { RfmSegmentName } from './rule-schema.js';
import type { RfmScore, RfmSettings } from './schema.js';

export const DEFAULT_RFM: RfmSettings = { event: 'Order Completed', valueProperties: ['total', 'revenue'] };
export const RFM_INTERVAL_MS = 24 * 3_600_000;

type Range = [number, number];
/** First match wins; ranges are inclusive. R is recency, F frequency, M monetary. */
const NAMED: { name: RfmSegmentName; r: Range; f: Range; m?: Range }[] = [
  { name: 'Champions', r: [4, 5], f: [4, 5], m: [4, 5] },
  { name: 'Loyal', r: [3, 5], f: [4, 5] },
  { name: "Can't Lose Them", r: [1, 1], f: [4, 5] },
  { name: 'At Risk', r: [1, 2], f: [3, 5] },
  { name: 'Potential Loyalist', r: [4, 5], f: [2, 3] },
  { name: 'New Customers', r: [4, 5], f: [1, 1] },
  { name: 'Need Attention', r: [3, 3], f: [3, 3] },
  { name: 'Promising', r: [3, 3], f: [1, 2] },
  { name: 'About to Sleep', r: [2, 2], f: [2, 2] },
  { name: 'Hibernating', r: [1, 2], f: [1, 2], m: [2, 5] },
  { name: 'Lost', r: [1, 5], f: [1, 5] },
];

const between = (column: string, [lo, hi]: Range) => sql`${sql.ref(column)} BETWEEN ${lo} AND ${hi}`;
const namedSegmentSql = () =>
  sql`CASE ${sql.join(
    NAMED.map((n) => {
      const parts = [between('s.r', n.r), between('s.f', n.f), ...(n.m ? [between('s.m', n.m)] : [])];
      return sql`WHEN ${sql.join(parts, sql` AND `)} THEN ${n.name}`;
    }),
    sql` `,
  )} END`;

/** Quintile of a value among all purchasers: ties share a score (RANK), 1 lowest … 5 highest. */
const quintile = (column: string) => sql`1 + (5 * (RANK() OVER (ORDER BY ${sql.ref(column)}) - 1)) / COUNT(*) OVER ()`;

export class RfmService {
  constructor(
    private readonly db: Db,
    private readonly dialect: Dialect,
    private readonly clock: Clock,
  ) {}

  async settings(): Promise<RfmSettings & { lastRunAt: number | null }> {
    const row = await this.db.selectFrom('rfm_settings').selectAll().where('id', '=', 1).executeTakeFirst();
    if (!row) return { ...DEFAULT_RFM, lastRunAt: null };
    const lastRunAt = row.last_run_at === null ? null : Number(row.last_run_at);
    return { event: row.event, valueProperties: this.dialect.parseJson(row.value_properties) as string[], lastRunAt };
  }

  async setSettings(s: RfmSettings) {
    const value_properties = JSON.stringify(s.valueProperties);
    await this.db
      .insertInto('rfm_settings')
      .values({ id: 1, event: s.event, value_properties, last_run_at: null })
      .onConflict((oc) => oc.column('id').doUpdateSet({ event: s.event, value_properties }))
      .execute();
    return this.settings();
  }

  async isDue(): Promise<boolean> {
    const { lastRunAt } = await this.settings();
    return lastRunAt === null || this.clock.now() - lastRunAt >= RFM_INTERVAL_MS;
  }

  /** Recomputes every score, then the segments whose rules use RFM. */
  async recompute(): Promise<{ profiles: number; computedAt: number; segmentsRecomputed: number }> {
    const s = await this.settings();
    const now = this.clock.now();
    const d = this.dialect;
    const value = s.valueProperties.reduce<ReturnType<typeof sql>>(
      (acc, p) => sql`COALESCE(${acc}, ${d.jsonNumber(sql`e.properties`, p.split('.'))})`,
      sql`NULL`,
    );
    return this.db.transaction().execute(async (trx) => {
      await d.lockName(trx, MEMBERSHIP_FEED_LOCK);
      await trx.deleteFrom('rfm_scores').execute();
      const inserted = await sql`INSERT INTO rfm_scores (profile_id, last_at, frequency, monetary, r, f, m, segment, computed_at)
        SELECT s.profile_id, s.last_at, s.frequency, s.monetary, s.r, s.f, s.m, ${namedSegmentSql()}, ${now}
        FROM (
          SELECT a.profile_id, a.last_at, a.frequency, a.monetary,
            ${quintile('a.last_at')} AS r, ${quintile('a.frequency')} AS f, ${quintile('a.monetary')} AS m
          FROM (
            SELECT e.profile_id, MAX(e.ts) AS last_at, COUNT(*) AS frequency, COALESCE(SUM(${value}), 0) AS monetary
            FROM profile_events AS e
            WHERE e.event = ${s.event} AND EXISTS (SELECT 1 FROM profiles AS p WHERE p.id = e.profile_id)
            GROUP BY e.profile_id
          ) AS a
        ) AS s`.execute(trx);
      await trx
        .insertInto('rfm_settings')
        .values({ id: 1, event: s.event, value_properties: JSON.stringify(s.valueProperties), last_run_at: now })
        .onConflict((oc) => oc.column('id').doUpdateSet({ last_run_at: now }))
        .execute();
      const catalog = await loadCatalog(trx, d);
      const users = catalog.ordered.filter((def) => references(def.rule).rfm).map((def) => def.id);
      const affected = withDependents(catalog, users);
      await recomputeSegments(trx, d, catalog, affected, now);
      return { profiles: Number(inserted.numAffectedRows ?? 0), computedAt: now, segmentsRecomputed: affected.length };
    });
  }

  async scoresOf(profileId: string): Promise<RfmScore | null> {
    const r = await this.db.selectFrom('rfm_scores').selectAll().where('profile_id', '=', profileId).executeTakeFirst();
    if (!r) return null;
    return {
      profileId,
      rfm_r: r.r,
      rfm_f: r.f,
      rfm_m: r.m,
      rfm_segment: r.segment,
      lastAt: Number(r.last_at),
      frequency: Number(r.frequency),
      monetary: Number(r.monetary),
    };
  }
}
