// Segment definitions and their members: create/update/delete (each recomputes the segment and its
// dependents in batch, in the same transaction), preview, members, history.
import { sql } from 'kysely';
import type { Db, Dialect } from '../storage/index.js';
import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import { decodeCursor, encodeCursor, type Page } from '../shared/paging.js';
import { buildCatalog, parseRule, references, withDependents, type SegmentDef } from './catalog.js';
import { matchingProfilesSql } from './compile-sql.js';
import { exitAll, recomputeSegments } from './recompute.js';
import { MEMBERSHIP_FEED_LOCK } from './reevaluate.js';
import { loadCatalog, loadDefinitions, memberCounts } from './store.js';
import { encryptedTraitsOf } from './encrypted-traits.js';
import type { CreateSegmentBody, Member, MembershipChange, Segment, UpdateSegmentBody } from './schema.js';
import { openTraits } from '../shared/encryption/pii-vault.js';

const isString = (v: unknown): v is string => typeof v === 'string';
const isNumber = (v: unknown): v is number => Number.isSafeInteger(v);

export class SegmentService {
  constructor(
    private readonly db: Db,
    private readonly dialect: Dialect,
    private readonly clock: Clock,
  ) {}

  async list(): Promise<Segment[]> {
    const defs = await loadDefinitions(this.db, this.dialect);
    const counts = await memberCounts(this.db);
    return defs.map((d) => toSegment(d, counts.get(d.id) ?? 0));
  }

  async get(id: string): Promise<Segment> {
    const def = (await loadDefinitions(this.db, this.dialect)).find((d) => d.id === id);
    if (!def) throw notFound(id);
    return toSegment(def, (await memberCounts(this.db, [id])).get(id) ?? 0);
  }

  async create(body: CreateSegmentBody, template: string | null = null): Promise<Segment> {
    const now = this.clock.now();
    const def: SegmentDef = {
      id: newId('seg'),
      name: body.name,
      description: body.description ?? null,
      rule: parseRule(body.rule),
      tag: body.tag ?? null,
      template,
      createdAt: now,
      updatedAt: now,
    };
    await this.db.transaction().execute(async (trx) => {
      await this.dialect.lockName(trx, MEMBERSHIP_FEED_LOCK);
      const defs = await loadDefinitions(trx, this.dialect);
      checkTagFree(defs, def);
      const encrypted = await encryptedTraitsOf(trx, this.dialect);
      encrypted?.check(def.rule);
      const catalog = buildCatalog([...defs, def], encrypted);
      await trx
        .insertInto('segments')
        .values({ id: def.id, name: def.name, description: def.description, rule: JSON.stringify(def.rule), tag: def.tag, template, created_at: now, updated_at: now })
        .execute();
      await recomputeSegments(trx, this.dialect, catalog, withDependents(catalog, [def.id]), now);
    });
    return this.get(def.id);
  }

  async update(id: string, body: UpdateSegmentBody): Promise<Segment> {
    const now = this.clock.now();
    await this.db.transaction().execute(async (trx) => {
      await this.dialect.lockName(trx, MEMBERSHIP_FEED_LOCK);
      const defs = await loadDefinitions(trx, this.dialect);
      const old = defs.find((d) => d.id === id);
      if (!old) throw notFound(id);
      const def: SegmentDef = {
        ...old,
        name: body.name ?? old.name,
        description: body.description !== undefined ? body.description : old.description,
        rule: body.rule !== undefined ? parseRule(body.rule) : old.rule,
        tag: body.tag !== undefined ? body.tag : old.tag,
        updatedAt: now,
      };
      checkTagFree(defs, def);
      const encrypted = await encryptedTraitsOf(trx, this.dialect);
      encrypted?.check(def.rule);
      const before = buildCatalog(defs, encrypted);
      const catalog = buildCatalog(defs.map((d) => (d.id === id ? def : d)), encrypted);
      await trx
        .updateTable('segments')
        .set({ name: def.name, description: def.description, rule: JSON.stringify(def.rule), tag: def.tag, updated_at: now })
        .where('id', '=', id)
        .execute();
      if (JSON.stringify(def.rule) === JSON.stringify(old.rule) && def.tag === old.tag) return;
      // Segments that used the old tag are affected too.
      const affected = new Set([...withDependents(before, [id]), ...withDependents(catalog, [id])].map((d) => d.id));
      await recomputeSegments(trx, this.dialect, catalog, catalog.ordered.filter((d) => affected.has(d.id)), now);
    });
    return this.get(id);
  }

  async delete(id: string): Promise<void> {
    const now = this.clock.now();
    await this.db.transaction().execute(async (trx) => {
      await this.dialect.lockName(trx, MEMBERSHIP_FEED_LOCK);
      const defs = await loadDefinitions(trx, this.dialect);
      const def = defs.find((d) => d.id === id);
      if (!def) throw notFound(id);
      const rest = defs.filter((d) => d.id !== id);
      const users = rest.filter((d) => references(d.rule).segments.has(id));
      if (users.length > 0)
        throw new AppError('segment_in_use', 409, `segment ${def.name} is used by other segments`, { usedBy: users.map((u) => u.id) });
      const encrypted = await encryptedTraitsOf(trx, this.dialect);
      const dependents = withDependents(buildCatalog(defs, encrypted), [id]).filter((d) => d.id !== id);
      await exitAll(trx, this.dialect, id, now);
      await trx.deleteFrom('segments').where('id', '=', id).execute();
      const catalog = buildCatalog(rest, encrypted);
      await recomputeSegments(trx, this.dialect, catalog, dependents.map((d) => catalog.byId.get(d.id)!), now);
    });
  }

  /** Recomputes every segment in batch (after a bulk import or a rule-language upgrade). */
  async recomputeAll() {
    const now = this.clock.now();
    return this.db.transaction().execute(async (trx) => {
      await this.dialect.lockName(trx, MEMBERSHIP_FEED_LOCK);
      const catalog = await loadCatalog(trx, this.dialect);
      return recomputeSegments(trx, this.dialect, catalog, catalog.ordered, now);
    });
  }

  /** Count and sample of a rule's audience right now, without saving anything (batch SQL). */
  async preview(ruleInput: unknown, sampleSize = 10) {
    const started = performance.now();
    const rule = parseRule(ruleInput);
    const defs = await loadDefinitions(this.db, this.dialect);
    const encrypted = await encryptedTraitsOf(this.db, this.dialect);
    encrypted?.check(rule);
    const now = this.clock.now();
    const catalog = buildCatalog([...defs, { id: 'preview', name: 'preview', description: null, rule, tag: null, template: null, createdAt: now, updatedAt: now }], encrypted);
    const matching = matchingProfilesSql(rule, { dialect: this.dialect, now, tagSegments: catalog.tagSegments, encrypted });
    // One evaluation for both: the count rides along each sampled row (a window over all matches).
    const rows =
      sampleSize === 0
        ? []
        : (await sql<{ id: string; traits: unknown; n: number }>`SELECT m.id, m.traits, COUNT(*) OVER () AS n FROM (${matching}) AS m ORDER BY m.id LIMIT ${sampleSize}`.execute(this.db)).rows;
    const count =
      sampleSize === 0 ? Number((await sql<{ n: number }>`SELECT COUNT(*) AS n FROM (${matching}) AS m`.execute(this.db)).rows[0].n) : Number(rows[0]?.n ?? 0);
    return {
      count,
      sample: await Promise.all(rows.map(async (r) => ({ profileId: r.id, traits: await openTraits(this.dialect, this.dialect.parseJson(r.traits) as Record<string, unknown>) }))),
      tookMs: Math.round(performance.now() - started),
    };
  }

  async members(id: string, limit: number, cursor?: string): Promise<Page<Member>> {
    await this.get(id);
    const after = decodeCursor(cursor, isString);
    let q = this.db.selectFrom('segment_memberships').selectAll().where('segment_id', '=', id);
    if (after !== undefined) q = q.where('profile_id', '>', after);
    const rows = await q.orderBy('profile_id').limit(limit + 1).execute();
    const data = rows.slice(0, limit).map((r) => ({ profileId: r.profile_id, enteredAt: Number(r.entered_at), triggerSeq: r.trigger_seq === null ? null : Number(r.trigger_seq) }));
    return { data, next: rows.length > limit ? encodeCursor(data[data.length - 1].profileId) : null };
  }

  /** Enter/exit history, newest first. */
  async history(id: string, limit: number, cursor?: string, profileId?: string): Promise<Page<MembershipChange>> {
    await this.get(id);
    const before = decodeCursor(cursor, isNumber);
    let q = this.db.selectFrom('membership_changes').selectAll().where('segment_id', '=', id);
    if (profileId) q = q.where('profile_id', '=', profileId);
    if (before !== undefined) q = q.where('change_seq', '<', before);
    const rows = await q.orderBy('change_seq', 'desc').limit(limit + 1).execute();
    const data = rows.slice(0, limit).map((r) => ({
      changeSeq: Number(r.change_seq),
      segmentId: r.segment_id,
      profileId: r.profile_id,
      kind: r.kind,
      at: Number(r.at),
      triggerSeq: r.trigger_seq === null ? null : Number(r.trigger_seq),
    }));
    return { data, next: rows.length > limit ? encodeCursor(data[data.length - 1].changeSeq) : null };
  }
}

const notFound = (id: string) => new AppError('segment_not_found', 404, `no segment ${id}`);

function checkTagFree(defs: SegmentDef[], def: SegmentDef) {
  const clash = def.tag && defs.find((d) => d.id !== def.id && d.tag === def.tag);
  if (clash) throw new AppError('tag_taken', 409, `segment ${clash.name} already defines tag ${def.tag}`, { segmentId: clash.id });
}


const toSegment = (d: SegmentDef, memberCount: number): Segment => ({
  id: d.id,
  name: d.name,
  description: d.description,
  rule: d.rule,
  tag: d.tag,
  template: d.template,
  memberCount,
  createdAt: d.createdAt,
  updatedAt: d.updatedAt,
});
