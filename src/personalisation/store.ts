// Placements in SQL, with an in-process copy for /v1/decide (refreshed after `ttlMs`, at once after a
// change made through this process).
import { AppError } from '../shared/errors.js';
import type { Clock } from '../shared/clock.js';
import { newId } from '../shared/ids.js';
import { decodeCursor, encodeCursor, type Page } from '../shared/paging.js';
import type { Db, Dialect } from '../storage/index.js';
import { ruleProblems } from './decide.js';
import type { CreatePlacementBody, Placement, PlacementRule, UpdatePlacementBody } from './schema.js';
import type { PlacementsTable } from './tables.js';

export class PlacementStore {
  private byName?: { map: Map<string, Placement>; until: number };

  constructor(
    private readonly db: Db,
    private readonly dialect: Dialect,
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {}

  private view(r: PlacementsTable): Placement {
    return {
      id: r.id,
      name: r.name,
      description: r.description,
      rules: this.dialect.parseJson(r.rules) as PlacementRule[],
      default: r.default_content === null ? null : this.dialect.parseJson(r.default_content),
      recordExposures: Boolean(r.record_exposures),
      createdAt: new Date(Number(r.created_at)).toISOString(),
      updatedAt: new Date(Number(r.updated_at)).toISOString(),
    };
  }

  /** Schema-valid rules can still be wrong together, or name segments that do not exist. */
  private async check(rules: PlacementRule[]) {
    const problems = ruleProblems(rules);
    if (problems.length) throw new AppError('invalid_placement', 422, `rule "${problems[0].rule}": ${problems[0].problem}`, { problems });
    const segmentIds = [...new Set(rules.flatMap((r) => r.conditions.flatMap((c) => (c.type === 'segment' ? [c.segmentId] : []))))];
    if (segmentIds.length) {
      const found = new Set((await this.db.selectFrom('segments').select('id').where('id', 'in', segmentIds).execute()).map((r) => r.id));
      const missing = segmentIds.filter((id) => !found.has(id));
      if (missing.length) {
        const rule = rules.find((r) => r.conditions.some((c) => c.type === 'segment' && c.segmentId === missing[0]))!.name;
        throw new AppError('unknown_segment', 422, `rule "${rule}" refers to unknown segment ${missing[0]}`, { segmentId: missing[0], rule });
      }
    }
  }

  private async nameFree(name: string, except?: string) {
    const row = await this.db.selectFrom('placements').select('id').where('name', '=', name).executeTakeFirst();
    if (row && row.id !== except) throw new AppError('placement_exists', 409, `a placement named "${name}" exists`, { id: row.id });
  }

  async create(body: CreatePlacementBody): Promise<Placement> {
    await this.check(body.rules);
    await this.nameFree(body.name);
    const now = this.clock.now();
    const row: PlacementsTable = {
      id: newId('plc'),
      name: body.name,
      description: body.description ?? null,
      rules: JSON.stringify(body.rules),
      default_content: body.default === undefined || body.default === null ? null : JSON.stringify(body.default),
      record_exposures: this.dialect.name === 'postgres' ? body.recordExposures !== false : Number(body.recordExposures !== false),
      created_at: now,
      updated_at: now,
    };
    await this.db.insertInto('placements').values(row).execute();
    this.byName = undefined;
    return this.view(row);
  }

  async get(id: string): Promise<Placement> {
    const row = await this.db.selectFrom('placements').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new AppError('placement_not_found', 404, `no placement ${id}`, { id });
    return this.view(row);
  }

  async list(limit: number, cursor?: string): Promise<Page<Placement>> {
    const after = decodeCursor(cursor, (v): v is string => typeof v === 'string');
    let q = this.db.selectFrom('placements').selectAll().orderBy('name').limit(limit + 1);
    if (after !== undefined) q = q.where('name', '>', after);
    const rows = await q.execute();
    const data = rows.slice(0, limit).map((r) => this.view(r));
    return { data, next: rows.length > limit ? encodeCursor(data[data.length - 1].name) : null };
  }

  async update(id: string, body: UpdatePlacementBody): Promise<Placement> {
    const current = await this.get(id);
    if (body.rules) await this.check(body.rules);
    if (body.name !== undefined) await this.nameFree(body.name, id);
    const set: Partial<PlacementsTable> = { updated_at: this.clock.now() };
    if (body.name !== undefined) set.name = body.name;
    if (body.description !== undefined) set.description = body.description;
    if (body.rules !== undefined) set.rules = JSON.stringify(body.rules);
    if (body.default !== undefined) set.default_content = body.default === null ? null : JSON.stringify(body.default);
    if (body.recordExposures !== undefined) set.record_exposures = this.dialect.name === 'postgres' ? body.recordExposures : Number(body.recordExposures);
    await this.db.updateTable('placements').set(set).where('id', '=', current.id).execute();
    this.byName = undefined;
    return this.get(id);
  }

  async delete(id: string): Promise<void> {
    const r = await this.db.deleteFrom('placements').where('id', '=', id).executeTakeFirst();
    if (Number(r.numDeletedRows) === 0) throw new AppError('placement_not_found', 404, `no placement ${id}`, { id });
    this.byName = undefined;
  }

  /** The placements of these names, from the in-process copy; an unknown name is an error naming it. */
  async named(names: string[]): Promise<Placement[]> {
    const now = this.clock.now();
    if (!this.byName || this.byName.until <= now) {
      const rows = await this.db.selectFrom('placements').selectAll().execute();
      this.byName = { map: new Map(rows.map((r) => [r.name, this.view(r)])), until: now + this.ttlMs };
    }
    return names.map((n) => {
      const p = this.byName!.map.get(n);
      if (!p) throw new AppError('placement_not_found', 404, `no placement named "${n}"`, { placement: n });
      return p;
    });
  }
}
