// Consent storage: the workspace's categories and each profile's statements — from events
// (consent_events, written by event forwarding, attributed to the profile through profile_events, so
// merges carry them along) and from the API (consent_records). A profile's state is the fold of its
// statements in time order, category by category.
import { sql } from 'kysely';
import type { Db, Dialect } from '../../storage/index.js';
import type { Clock } from '../../shared/clock.js';
import { AppError } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import { decodeCursor, encodeCursor, type Page } from '../../shared/paging.js';
import { foldPreferences, type CategoryPreferences } from './allows.js';
import type { ConsentCategory, ConsentCategoryPatch, ConsentState, ConsentStatement, NewConsentCategory } from './schema.js';
import type { ConsentCategoriesTable } from '../tables.js';
import type { Selectable } from 'kysely';

const iso = (ms: number) => new Date(Number(ms)).toISOString();
type Statement = { profileId: string; source: 'event' | 'api'; preferences: CategoryPreferences; at: number; eventSeq: number | null; actor: string | null };

export class ConsentStore {
  constructor(
    private readonly db: Db,
    private readonly dialect: Dialect,
    private readonly clock: Clock,
  ) {}

  async categories(): Promise<ConsentCategory[]> {
    const [rows, used] = await Promise.all([this.db.selectFrom('consent_categories').selectAll().orderBy('id').execute(), this.destinationCategories()]);
    return rows.map((r) => this.view(r, used));
  }

  async category(id: string): Promise<ConsentCategory> {
    const row = await this.db.selectFrom('consent_categories').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound(id);
    return this.view(row, await this.destinationCategories());
  }

  async createCategory(c: NewConsentCategory): Promise<ConsentCategory> {
    const existing = await this.db.selectFrom('consent_categories').select('id').execute();
    const clash = existing.find((r) => r.id.toLowerCase() === c.id.toLowerCase());
    if (clash) throw new AppError('consent_category_exists', 409, `a consent category ${clash.id} already exists`, { id: clash.id });
    const now = this.clock.now();
    await this.db
      .insertInto('consent_categories')
      .values({ id: c.id, name: c.name, description: c.description ?? null, required: c.required ? 1 : 0, created_at: now, updated_at: now })
      .execute();
    return this.category(c.id);
  }

  async updateCategory(id: string, patch: ConsentCategoryPatch): Promise<ConsentCategory> {
    await this.category(id);
    const set: Partial<ConsentCategoriesTable> = { updated_at: this.clock.now() };
    if (patch.name !== undefined) set.name = patch.name;
    if (patch.description !== undefined) set.description = patch.description;
    if (patch.required !== undefined) set.required = patch.required ? 1 : 0;
    await this.db.updateTable('consent_categories').set(set).where('id', '=', id).execute();
    return this.category(id);
  }

  async deleteCategory(id: string): Promise<void> {
    const c = await this.category(id);
    if (c.inUse.length > 0)
      throw new AppError('consent_category_in_use', 409, `destinations still send under consent category ${id}: ${c.inUse.join(', ')}`, { destinations: c.inUse });
    await this.db.deleteFrom('consent_categories').where('id', '=', id).execute();
  }

  /** Lower-cased ids of the categories a person cannot refuse. */
  async requiredCategories(): Promise<Set<string>> {
    const rows = await this.db.selectFrom('consent_categories').select('id').where('required', '=', 1).execute();
    return new Set(rows.map((r) => r.id.toLowerCase()));
  }

  /** A statement through the API; refusing a required category is an error, unknown categories too. */
  async record(profileId: string, preferences: Record<string, boolean>, actor: string | null): Promise<ConsentState> {
    const categories = await this.db.selectFrom('consent_categories').select(['id', 'required']).execute();
    const byKey = new Map(categories.map((c) => [c.id.toLowerCase(), c]));
    for (const [key, granted] of Object.entries(preferences)) {
      const c = byKey.get(key.toLowerCase());
      if (!c) throw new AppError('consent_category_not_found', 400, `no consent category ${key}`, { id: key });
      if (Number(c.required) === 1 && !granted) throw new AppError('consent_category_required', 400, `consent category ${c.id} is required and cannot be refused`, { id: c.id });
    }
    await this.db
      .insertInto('consent_records')
      .values({ id: newId('cr'), profile_id: profileId, preferences: JSON.stringify(preferences), source: 'api', actor, at: this.clock.now() })
      .execute();
    return this.state(profileId);
  }

  /** The effective preferences of each profile that stated any: later statements win, required categories granted. */
  async latest(profileIds: string[]): Promise<Map<string, Record<string, boolean>>> {
    const [statements, required] = await Promise.all([this.statements(profileIds), this.requiredCategories()]);
    const byProfile = new Map<string, CategoryPreferences[]>();
    for (const s of statements) byProfile.set(s.profileId, [...(byProfile.get(s.profileId) ?? []), s.preferences]);
    const out = new Map<string, Record<string, boolean>>();
    for (const [id, list] of byProfile) {
      const folded = foldPreferences(list);
      for (const r of required) folded[r] = true;
      out.set(id, folded);
    }
    return out;
  }

  async state(profileId: string): Promise<ConsentState> {
    const [statements, categories] = await Promise.all([this.statements([profileId]), this.db.selectFrom('consent_categories').selectAll().orderBy('id').execute()]);
    const preferences = foldPreferences(statements.map((s) => s.preferences));
    const lastAt = new Map<string, number>();
    for (const s of statements) for (const k of Object.keys(s.preferences)) lastAt.set(k.toLowerCase(), s.at);
    return {
      profileId,
      preferences,
      categories: categories.map((c) => {
        const key = c.id.toLowerCase();
        const required = Number(c.required) === 1;
        const at = lastAt.get(key);
        return { id: c.id, name: c.name, required, granted: required ? true : (preferences[key] ?? null), at: at === undefined ? null : iso(at) };
      }),
    };
  }

  /** Every statement of the profile, newest first. */
  async history(profileId: string, limit: number, cursor?: string): Promise<Page<ConsentStatement>> {
    const offset = decodeCursor(cursor, (v): v is number => Number.isSafeInteger(v) && (v as number) >= 0) ?? 0;
    const all = (await this.statements([profileId])).reverse();
    const data = all.slice(offset, offset + limit).map((s) => ({ source: s.source, preferences: foldPreferences([s.preferences]), at: iso(s.at), eventSeq: s.eventSeq, actor: s.actor }));
    return { data, next: offset + limit < all.length ? encodeCursor(offset + limit) : null };
  }

  /** Statements of these profiles, oldest first (events by event time, API records by when they were made). */
  private async statements(profileIds: string[]): Promise<Statement[]> {
    const out: Statement[] = [];
    for (let i = 0; i < profileIds.length; i += 500) {
      const ids = profileIds.slice(i, i + 500);
      const [events, records] = await Promise.all([
        this.db
          .selectFrom('consent_events as c')
          .innerJoin('profile_events as pe', 'pe.seq', 'c.seq')
          .select(['pe.profile_id', 'c.preferences', 'pe.ts', 'c.seq'])
          .where('pe.profile_id', 'in', ids)
          .execute(),
        this.db.selectFrom('consent_records').select(['profile_id', 'preferences', 'at', 'actor']).where('profile_id', 'in', ids).execute(),
      ]);
      for (const e of events)
        out.push({ profileId: e.profile_id, source: 'event', preferences: this.dialect.parseJson(e.preferences) as CategoryPreferences, at: Number(e.ts), eventSeq: Number(e.seq), actor: null });
      for (const r of records)
        out.push({ profileId: r.profile_id, source: 'api', preferences: this.dialect.parseJson(r.preferences) as CategoryPreferences, at: Number(r.at), eventSeq: null, actor: r.actor });
    }
    return out.sort((a, b) => a.at - b.at || (a.eventSeq ?? 0) - (b.eventSeq ?? 0));
  }

  private async destinationCategories(): Promise<Map<string, string[]>> {
    const rows = await sql<{ id: string; category: string }>`SELECT id, category FROM destinations WHERE category IS NOT NULL`.execute(this.db).then(
      (r) => r.rows,
      () => [] as { id: string; category: string }[],
    );
    const out = new Map<string, string[]>();
    for (const r of rows) out.set(r.category.toLowerCase(), [...(out.get(r.category.toLowerCase()) ?? []), r.id]);
    return out;
  }

  private view(r: Selectable<ConsentCategoriesTable>, used: Map<string, string[]>): ConsentCategory {
    return {
      id: r.id,
      name: r.name,
      description: r.description,
      required: Number(r.required) === 1,
      inUse: used.get(r.id.toLowerCase()) ?? [],
      createdAt: iso(r.created_at),
      updatedAt: iso(r.updated_at),
    };
  }
}

const notFound = (id: string) => new AppError('consent_category_not_found', 404, `no consent category ${id}`, { id });
