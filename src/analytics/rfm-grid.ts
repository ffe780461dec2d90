// The RFM grid: profiles and revenue (monetary) per recency × frequency score, from the stored RFM scores.
import { sql } from 'kysely';
import type { Db } from '../storage/index.js';
import '../segments/tables.js';
import type { RfmGridAnswer } from './query-schema.js';
import { n } from './scope.js';

export async function rfmGrid(db: Db, segment: string | undefined): Promise<RfmGridAnswer> {
  const member = segment === undefined ? sql`` : sql`JOIN segment_memberships sm ON sm.profile_id = s.profile_id AND sm.segment_id = ${segment}`;
  const rows = await sql<{ r: number; f: number; profiles: number; revenue: number }>`
    SELECT s.r AS r, s.f AS f, COUNT(*) AS profiles, SUM(s.monetary) AS revenue
    FROM rfm_scores s ${member} GROUP BY s.r, s.f ORDER BY s.r, s.f`.execute(db);
  const cells = rows.rows.map((r) => ({ r: Number(r.r), f: Number(r.f), profiles: n(r.profiles), revenue: Math.round(n(r.revenue) * 100) / 100 }));
  return { cells, profiles: cells.reduce((s, c) => s + c.profiles, 0), revenue: Math.round(cells.reduce((s, c) => s + c.revenue, 0) * 100) / 100 };
}
