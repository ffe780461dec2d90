// SQL for segment definitions and current members.
import type { Kysely } from 'kysely';
import type { Database, Dialect } from '../storage/index.js';
import { buildCatalog, type Catalog, type SegmentDef } from './catalog.js';
import type { Rule } from './rule-schema.js';
import { encryptedTraitsOf } from './encrypted-traits.js';
import type { ProfileMembership } from './schema.js';

type Q = Kysely<Database>;

export async function loadDefinitions(q: Q, dialect: Dialect): Promise<SegmentDef[]> {
  const rows = await q.selectFrom('segments').selectAll().orderBy('created_at').orderBy('id').execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    description: r.description,
    rule: dialect.parseJson(r.rule) as Rule,
    tag: r.tag,
    template: r.template,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  }));
}

export const loadCatalog = async (q: Q, dialect: Dialect): Promise<Catalog> =>
  buildCatalog(await loadDefinitions(q, dialect), await encryptedTraitsOf(q, dialect));

export async function memberCounts(q: Q, ids?: string[]): Promise<Map<string, number>> {
  let query = q.selectFrom('segment_memberships').select((eb) => ['segment_id', eb.fn.countAll<number>().as('n')]).groupBy('segment_id');
  if (ids) query = query.where('segment_id', 'in', ids.length ? ids : ['']);
  return new Map((await query.execute()).map((r) => [r.segment_id, Number(r.n)]));
}

/** The segments a profile is currently in — what the profile API shows. */
export async function membershipsOf(db: Q, profileId: string): Promise<ProfileMembership[]> {
  const rows = await db
    .selectFrom('segment_memberships as m')
    .innerJoin('segments as s', 's.id', 'm.segment_id')
    .select(['m.segment_id', 's.name', 's.tag', 'm.entered_at'])
    .where('m.profile_id', '=', profileId)
    .orderBy('m.entered_at')
    .orderBy('m.segment_id')
    .execute();
  return rows.map((r) => ({ segmentId: r.segment_id, name: r.name, tag: r.tag, enteredAt: Number(r.entered_at) }));
}
