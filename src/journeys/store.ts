// Journeys and their versions in the store. A definition is immutable once saved: editing a journey
// that has ever been activated adds a version (people inside finish on theirs); a draft's single
// version is edited in place.
import type { Kysely, Transaction } from 'kysely';
import type { Database, Db, Dialect } from '../storage/index.js';
import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import type { LiveJourney } from './enter.js';
import { nextLocalTime } from './local-time.js';
import type { Journey, JourneyDefinition, JourneyStatus, JourneyVersion } from './schema.js';
import type { JourneysTable } from './tables.js';

type Via = Kysely<Database> | Transaction<Database>;

export class JourneyStore {
  /** Versions never change, so their parsed definitions are kept. */
  private readonly defs = new Map<string, JourneyDefinition>();

  constructor(
    readonly db: Db,
    readonly dialect: Dialect,
    private readonly clock: Clock,
  ) {}

  async definition(via: Via, journeyId: string, version: number): Promise<JourneyDefinition> {
    const key = `${journeyId}\n${version}`;
    let def = this.defs.get(key);
    if (!def) {
      const row = await via.selectFrom('journey_versions').select('definition').where('journey_id', '=', journeyId).where('version', '=', version).executeTakeFirstOrThrow();
      def = this.dialect.parseJson(row.definition) as JourneyDefinition;
      this.defs.set(key, def);
    }
    return def;
  }

  /** Journeys taking new entries (status active), at their newest version. */
  async live(via: Via): Promise<LiveJourney[]> {
    const rows = await via.selectFrom('journeys').select(['id', 'name', 'version']).where('status', '=', 'active').orderBy('id').execute();
    return Promise.all(rows.map(async (r) => ({ id: r.id, name: r.name, version: Number(r.version), def: await this.definition(via, r.id, Number(r.version)) })));
  }

  /** Whether any journey is not a draft (the stages skip all work when none is). */
  async anyRunning(via: Via): Promise<boolean> {
    return (await via.selectFrom('journeys').select('id').where('status', '!=', 'draft').limit(1).executeTakeFirst()) !== undefined;
  }

  async create(o: { name: string; description?: string; definition: JourneyDefinition; template?: string }): Promise<Journey> {
    const id = newId('jrn');
    const now = this.clock.now();
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('journeys').values({ id, name: o.name, description: o.description ?? null, status: 'draft', version: 1, template: o.template ?? null, next_run_at: null, created_at: now, updated_at: now }).execute();
      await trx.insertInto('journey_versions').values({ journey_id: id, version: 1, definition: JSON.stringify(o.definition), created_at: now }).execute();
    });
    return this.get(id);
  }

  async row(id: string, via: Via = this.db): Promise<JourneysTable> {
    const row = await via.selectFrom('journeys').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new AppError('journey_not_found', 404, `no journey ${id}`);
    return { ...row, version: Number(row.version) };
  }

  async get(id: string): Promise<Journey> {
    const r = await this.row(id);
    return this.view(r, await this.definition(this.db, id, r.version));
  }

  async list(limit: number, after?: string): Promise<{ rows: Journey[]; more: boolean }> {
    let q = this.db.selectFrom('journeys').selectAll().orderBy('id').limit(limit + 1);
    if (after) q = q.where('id', '>', after);
    const rows = await q.execute();
    const page = rows.slice(0, limit);
    return { rows: await Promise.all(page.map(async (r) => this.view({ ...r, version: Number(r.version) }, await this.definition(this.db, r.id, Number(r.version))))), more: rows.length > limit };
  }

  async versions(id: string): Promise<JourneyVersion[]> {
    await this.row(id);
    const rows = await this.db.selectFrom('journey_versions').selectAll().where('journey_id', '=', id).orderBy('version').execute();
    return rows.map((r) => ({ version: Number(r.version), definition: this.dialect.parseJson(r.definition) as JourneyDefinition, createdAt: Number(r.created_at) }));
  }

  async update(id: string, o: { name?: string; description?: string; definition?: JourneyDefinition }): Promise<Journey> {
    const now = this.clock.now();
    await this.db.transaction().execute(async (trx) => {
      const r = await this.row(id, trx);
      if (r.status === 'archived') throw new AppError('journey_status_conflict', 409, 'an archived journey cannot be edited', { status: r.status });
      let version = r.version;
      if (o.definition) {
        if (r.status === 'draft') {
          await trx.updateTable('journey_versions').set({ definition: JSON.stringify(o.definition), created_at: now }).where('journey_id', '=', id).where('version', '=', version).execute();
          this.defs.delete(`${id}\n${version}`);
        } else {
          version += 1;
          await trx.insertInto('journey_versions').values({ journey_id: id, version, definition: JSON.stringify(o.definition), created_at: now }).execute();
        }
      }
      const next_run_at = o.definition && r.status === 'active' ? scheduleStart(o.definition, now) : r.next_run_at;
      await trx
        .updateTable('journeys')
        .set({ ...(o.name !== undefined ? { name: o.name } : {}), ...(o.description !== undefined ? { description: o.description } : {}), version, next_run_at, updated_at: now })
        .where('id', '=', id)
        .execute();
    });
    return this.get(id);
  }

  /** Moves the journey to `to` if its status is one of `from`, else 409 journey_status_conflict. */
  async transition(id: string, from: JourneyStatus[], to: JourneyStatus): Promise<Journey> {
    const now = this.clock.now();
    await this.db.transaction().execute(async (trx) => {
      const r = await this.row(id, trx);
      if (!from.includes(r.status as JourneyStatus))
        throw new AppError('journey_status_conflict', 409, `the journey is ${r.status}; this needs it to be ${from.join(' or ')}`, { status: r.status });
      const def = await this.definition(trx, id, r.version);
      const next_run_at = to === 'active' ? (r.next_run_at ?? scheduleStart(def, now)) : to === 'archived' ? null : r.next_run_at;
      await trx.updateTable('journeys').set({ status: to, next_run_at, updated_at: now }).where('id', '=', id).execute();
    });
    return this.get(id);
  }

  async delete(id: string) {
    const r = await this.row(id);
    if (r.status !== 'draft') throw new AppError('journey_status_conflict', 409, 'only a draft can be deleted; archive a journey that has run', { status: r.status });
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('journey_versions').where('journey_id', '=', id).execute();
      await trx.deleteFrom('journeys').where('id', '=', id).execute();
    });
  }

  private view(r: JourneysTable, definition: JourneyDefinition): Journey {
    return {
      id: r.id,
      name: r.name,
      description: r.description,
      status: r.status as JourneyStatus,
      version: Number(r.version),
      definition,
      template: r.template,
      createdAt: Number(r.created_at),
      updatedAt: Number(r.updated_at),
    };
  }
}

/** The first daily run of a schedule trigger (null for other triggers). */
export function scheduleStart(def: JourneyDefinition, now: number): number | null {
  return def.trigger.type === 'schedule' ? nextLocalTime(now, def.trigger.at, def.rules?.defaultTimezone ?? 'UTC') : null;
}
