// Manual tags on profiles (API and bulk CSV of identifiers). Rules test tags with the `tag`
// condition, which also matches members of a segment flagged with that tag (rule-based tags).
// A tag change re-decides the segments that use the tag, in the same transaction.
import { parse } from 'csv-parse/sync';
import type { Transaction } from 'kysely';
import type { Database, Db, Dialect } from '../storage/index.js';
import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import { hasNul, unstorableError } from '../shared/storable-text.js';
import { chunkRows } from '../storage/index.js';
import { decodeCursor, encodeCursor, type Page } from '../shared/paging.js';
import { references, withDependents, type Catalog } from './catalog.js';
import { loadCatalog } from './store.js';
import { recomputeSegments } from './recompute.js';
import { MEMBERSHIP_FEED_LOCK, reevaluateProfiles } from './reevaluate.js';
import { identifierKinds, resolveIdentifiers } from './resolve-identifiers.js';

const BULK = 200; // above this many profiles, recompute the affected segments in batch instead

export class TagService {
  constructor(
    private readonly db: Db,
    private readonly dialect: Dialect,
    private readonly clock: Clock,
  ) {}

  async list() {
    const manual = await this.db.selectFrom('profile_tags').select((eb) => ['tag', eb.fn.countAll<number>().as('n')]).groupBy('tag').execute();
    const flagged = await this.db.selectFrom('segments').select(['id', 'tag']).where('tag', 'is not', null).execute();
    const tags = new Map<string, { tag: string; manualProfiles: number; segmentIds: string[] }>();
    const entry = (tag: string) => tags.get(tag) ?? tags.set(tag, { tag, manualProfiles: 0, segmentIds: [] }).get(tag)!;
    for (const m of manual) entry(m.tag).manualProfiles = Number(m.n);
    for (const s of flagged) entry(s.tag!).segmentIds.push(s.id);
    return [...tags.values()].sort((a, b) => a.tag.localeCompare(b.tag));
  }

  async profiles(tag: string, limit: number, cursor?: string): Promise<Page<{ profileId: string; taggedAt: number }>> {
    const after = decodeCursor(cursor, (v): v is string => typeof v === 'string');
    let q = this.db.selectFrom('profile_tags').select(['profile_id', 'created_at']).where('tag', '=', tag);
    if (after !== undefined) q = q.where('profile_id', '>', after);
    const rows = await q.orderBy('profile_id').limit(limit + 1).execute();
    const data = rows.slice(0, limit).map((r) => ({ profileId: r.profile_id, taggedAt: Number(r.created_at) }));
    return { data, next: rows.length > limit ? encodeCursor(data[data.length - 1].profileId) : null };
  }

  /** Tags existing profiles; returns the ids that are not profiles. */
  async add(tag: string, profileIds: string[]): Promise<{ tagged: number; unknown: string[] }> {
    const ids = [...new Set(profileIds)];
    return this.db.transaction().execute(async (trx) => {
      const known = await resolveIdentifiers(trx, this.dialect, 'profile_id', ids);
      const targets = [...new Set(known.values())];
      await this.write(trx, tag, targets, 'add');
      return { tagged: targets.length, unknown: ids.filter((id) => !known.has(id)) };
    });
  }

  async remove(tag: string, profileId: string): Promise<void> {
    await this.db.transaction().execute((trx) => this.write(trx, tag, [profileId], 'remove'));
  }

  /** A CSV whose header names an identifier column: profile_id, an identity type (user_id, email, …) or identifier. */
  async importCsv(tag: string, text: string) {
    if (hasNul(text)) throw unstorableError('the CSV');
    let records: Record<string, string>[];
    try {
      records = parse(text, { columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()), skip_empty_lines: true, trim: true, bom: true });
    } catch (err) {
      throw new AppError('invalid_csv', 400, `the CSV could not be read: ${(err as Error).message}`);
    }
    const header = records.length > 0 ? Object.keys(records[0]) : [];
    const kinds = await identifierKinds(this.db);
    const kind = kinds.find((c) => header.includes(c));
    if (!kind) throw new AppError('invalid_csv', 400, `the CSV needs a header with one of: ${kinds.join(', ')}`);
    const values = [...new Set(records.map((r) => r[kind]).filter(Boolean))];
    return this.db.transaction().execute(async (trx) => {
      const found = await resolveIdentifiers(trx, this.dialect, kind, values);
      const targets = [...new Set(found.values())];
      await this.write(trx, tag, targets, 'add');
      const unresolved = values.filter((v) => !found.has(v));
      return { rows: records.length, tagged: targets.length, unresolved: unresolved.length, unresolvedSample: unresolved.slice(0, 20) };
    });
  }

  /** Adds or removes a manual tag inside the caller's transaction (journeys' update-profile steps use it) and re-decides the segments that use it. */
  async write(trx: Transaction<Database>, tag: string, profileIds: string[], op: 'add' | 'remove') {
    const now = this.clock.now();
    await this.dialect.lockName(trx, MEMBERSHIP_FEED_LOCK);
    for (const chunk of chunkRows(profileIds, 3, this.dialect)) {
      if (op === 'add')
        await trx
          .insertInto('profile_tags')
          .values(chunk.map((profile_id) => ({ tag, profile_id, created_at: now })))
          .onConflict((oc) => oc.columns(['tag', 'profile_id']).doNothing())
          .execute();
      else await trx.deleteFrom('profile_tags').where('tag', '=', tag).where('profile_id', 'in', chunk).execute();
    }
    const catalog = await loadCatalog(trx, this.dialect);
    const affected = usersOfTag(catalog, tag);
    if (affected.length === 0 || profileIds.length === 0) return;
    if (profileIds.length <= BULK)
      await reevaluateProfiles(trx, this.dialect, catalog, profileIds.map((id) => ({ id, triggerSeq: null })), now);
    else await recomputeSegments(trx, this.dialect, catalog, affected, now);
  }
}

const usersOfTag = (catalog: Catalog, tag: string) =>
  withDependents(catalog, catalog.ordered.filter((d) => references(d.rule).tags.has(tag)).map((d) => d.id));
