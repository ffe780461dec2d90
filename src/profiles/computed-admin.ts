// Declaring and removing computed traits. A new all-time trait is backfilled from every profile's
// timeline before the call returns, under the identity stage's lock so no batch interleaves; from then
// on the stage keeps it up to date as events arrive.
import type { Transaction } from 'kysely';
import type { Database, Db, Dialect } from '../storage/index.js';
import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import { IDENTITY_STAGE, keyingOf, loadRules, writeProfiles } from '../identity/index.js';
import { openJson, openTraits } from '../shared/encryption/pii-vault.js';
import { foldComputed, isIncremental, type AggState } from './computed-traits.js';
import { loadDefinitions } from './definitions-store.js';
import type { ProfileState } from './profile-state.js';
import type { ComputedTraitDefinition } from './schema.js';

const NEEDS_PROPERTY = new Set(['sum', 'avg', 'min', 'max', 'most_frequent']);
const PAGE = 500;

export class ComputedTraits {
  constructor(
    private readonly db: Db,
    private readonly dialect: Dialect,
    private readonly clock: Clock,
  ) {}

  list(): Promise<ComputedTraitDefinition[]> {
    return loadDefinitions(this.db);
  }

  async create(def: ComputedTraitDefinition): Promise<ComputedTraitDefinition> {
    if (NEEDS_PROPERTY.has(def.kind) && def.property === undefined)
      throw new AppError('invalid_computed_trait', 400, `${def.kind} needs a property to aggregate`, { field: 'property' });
    if (def.kind === 'days_since_last' && def.windowDays !== undefined)
      throw new AppError('invalid_computed_trait', 400, 'days_since_last cannot have a window', { field: 'windowDays' });
    return this.db.transaction().execute(async (trx) => {
      await this.dialect.lockName(trx, `stage:${IDENTITY_STAGE}`);
      const exists = await trx.selectFrom('computed_traits').select('name').where('name', '=', def.name).executeTakeFirst();
      if (exists) throw new AppError('computed_trait_exists', 409, `a computed trait named ${def.name} exists; delete it first`, { name: def.name });
      await trx.insertInto('computed_traits').values({ name: def.name, definition: JSON.stringify(def), created_at: this.clock.now() }).execute();
      if (isIncremental(def)) await this.rewrite(trx, async (states) => this.backfill(trx, def, states));
      return def;
    });
  }

  async remove(name: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await this.dialect.lockName(trx, `stage:${IDENTITY_STAGE}`);
      const res = await trx.deleteFrom('computed_traits').where('name', '=', name).executeTakeFirst();
      if (Number(res.numDeletedRows) === 0) throw new AppError('computed_trait_not_found', 404, `no computed trait named ${name}`);
      await this.rewrite(trx, async (states) => {
        for (const s of states.values()) delete s.aggs[name];
      });
    });
  }

  private async backfill(trx: Transaction<Database>, def: ComputedTraitDefinition, states: Map<string, ProfileState>) {
    let q = trx.selectFrom('profile_events').select(['profile_id', 'type', 'event', 'ts', 'properties']).where('profile_id', 'in', [...states.keys()]);
    if (def.event !== undefined) q = q.where('event', '=', def.event);
    const aggs = new Map<string, AggState | undefined>();
    for (const r of await q.execute()) {
      const properties = await openTraits(this.dialect, this.dialect.parseJson(r.properties) as Record<string, unknown>);
      const e = { type: r.type, event: r.event, ts: Number(r.ts), sourceId: '', sourceType: null, properties };
      aggs.set(r.profile_id, foldComputed(def, aggs.get(r.profile_id), e));
    }
    for (const [id, s] of states) {
      const agg = aggs.get(id);
      if (agg) s.aggs[def.name] = agg;
      else delete s.aggs[def.name];
    }
  }

  /** Pages through every profile's state, lets `change` edit it, and writes states and profile rows back. */
  private async rewrite(trx: Transaction<Database>, change: (states: Map<string, ProfileState>) => Promise<void>) {
    const defs = await loadDefinitions(trx);
    const { codec } = await keyingOf(this.dialect, await loadRules(trx), trx);
    const now = this.clock.now();
    for (let after = ''; ; ) {
      const rows = await trx.selectFrom('identity_profiles').selectAll().where('profile_id', '>', after).orderBy('profile_id').limit(PAGE).execute();
      if (rows.length === 0) return;
      const states = new Map<string, ProfileState>();
      for (const r of rows) states.set(r.profile_id, await openJson<ProfileState>(this.dialect, r.state));
      await change(states);
      const records = rows.map((r) => ({
        id: r.profile_id,
        componentId: r.component_id,
        identifiers: new Set(JSON.parse(r.identifiers) as string[]),
        state: states.get(r.profile_id)!,
      }));
      await writeProfiles(trx, this.dialect, records, defs, now, undefined, codec);
      after = rows[rows.length - 1].profile_id;
    }
  }
}
