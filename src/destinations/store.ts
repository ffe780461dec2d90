// Destinations: create, configure, pause, delete. Validates connector settings, seals secrets, and
// keeps an in-process cache of the destinations the pipeline stages and the delivery engine read.
import { Value } from '@sinclair/typebox/value';
import type { Kysely } from 'kysely';
import type { Database, Db, Dialect } from '../storage/index.js';
import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import { CONNECTORS, type Connector } from './connectors/index.js';
import type { EventFilter, FieldMapping } from './event-filter.js';
import type { CreateDestinationBody, DeliverySettings, Destination, UpdateDestinationBody } from './schema.js';
import type { SecretBox } from '../shared/secret-box.js';
import type { DestinationsTable } from './tables.js';

/** A destination as the engine uses it: parsed settings and opened secrets. */
export interface ActiveDestination {
  id: string;
  name: string;
  kind: 'events' | 'audience';
  connector: Connector;
  category: string | null;
  config: Record<string, unknown>;
  secrets: Record<string, string>;
  filter: EventFilter;
  mapping: FieldMapping | null;
  segments: Record<string, string>;
  delivery: DeliverySettings;
  paused: boolean;
}

const CACHE_MS = 1_000;

export class DestinationStore {
  private cache: { at: number; list: ActiveDestination[] } | null = null;
  /** Bumped on every change, so a read that raced a change does not cache what it read. */
  private version = 0;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly db: Db,
    private readonly dialect: Dialect,
    private readonly clock: Clock,
    private readonly box: SecretBox,
  ) {}

  /** Called after every change made through this store (wakes the engine). */
  onChange(listener: () => void) {
    this.listeners.add(listener);
  }

  async create(body: CreateDestinationBody): Promise<Destination> {
    const connector = CONNECTORS[body.connector];
    if (!connector) throw new AppError('unknown_connector', 400, `connector must be one of ${Object.keys(CONNECTORS).join(', ')}`);
    if (!connector.kinds.includes(body.kind))
      throw new AppError('unsupported_kind', 400, `the ${connector.name} connector supports ${connector.kinds.join(', ')} destinations`);
    const config = body.config ?? {};
    const secrets = { ...connector.generateSecrets?.(), ...body.secrets };
    this.validate(connector, config, secrets);
    const now = this.clock.now();
    const id = newId('dst');
    await this.db
      .insertInto('destinations')
      .values({
        id,
        name: body.name,
        kind: body.kind,
        connector: connector.name,
        category: body.category ?? null,
        config: JSON.stringify(config),
        secrets: this.box.seal(JSON.stringify(secrets)),
        filter: JSON.stringify(body.filter ?? {}),
        mapping: body.mapping ? JSON.stringify(body.mapping) : null,
        segments: JSON.stringify(body.segments ?? {}),
        delivery: JSON.stringify(body.delivery ?? {}),
        paused_at: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    this.changed();
    return this.get(id);
  }

  async update(id: string, body: UpdateDestinationBody): Promise<Destination> {
    const row = await this.row(id);
    const connector = CONNECTORS[row.connector];
    const config = body.config ?? (this.dialect.parseJson(row.config) as Record<string, unknown>);
    // Secrets are replaced key by key: a PATCH that fixes one token keeps the others.
    const secrets = { ...this.openSecrets(row.secrets), ...(body.secrets ?? {}) };
    this.validate(connector, config, secrets);
    await this.db
      .updateTable('destinations')
      .set({
        ...(body.name !== undefined ? { name: body.name } : {}),
        ...(body.category !== undefined ? { category: body.category } : {}),
        config: JSON.stringify(config),
        secrets: this.box.seal(JSON.stringify(secrets)),
        ...(body.filter !== undefined ? { filter: JSON.stringify(body.filter) } : {}),
        ...(body.mapping !== undefined ? { mapping: body.mapping ? JSON.stringify(body.mapping) : null } : {}),
        ...(body.segments !== undefined ? { segments: JSON.stringify(body.segments) } : {}),
        ...(body.delivery !== undefined ? { delivery: JSON.stringify(body.delivery) } : {}),
        updated_at: this.clock.now(),
      })
      .where('id', '=', id)
      .execute();
    this.changed();
    return this.get(id);
  }

  async setPaused(id: string, paused: boolean): Promise<Destination> {
    await this.row(id);
    const now = this.clock.now();
    await this.db.updateTable('destinations').set({ paused_at: paused ? now : null, updated_at: now }).where('id', '=', id).execute();
    this.changed();
    return this.get(id);
  }

  /** Removes the destination with its outbox, dead letters and sent set. */
  async delete(id: string): Promise<void> {
    await this.row(id);
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('deliveries').where('destination_id', '=', id).execute();
      await trx.deleteFrom('destination_members').where('destination_id', '=', id).execute();
      await trx.deleteFrom('email_optouts').where('destination_id', '=', id).execute();
      await trx.deleteFrom('destinations').where('id', '=', id).execute();
    });
    this.changed();
  }

  async get(id: string): Promise<Destination> {
    return this.view(await this.row(id));
  }

  async list(): Promise<Destination[]> {
    const rows = await this.db.selectFrom('destinations').selectAll().orderBy('created_at').orderBy('id').execute();
    return rows.map((r) => this.view(r));
  }

  /**
   * Every destination with settings parsed and secrets opened (cached briefly; other processes' edits
   * show within a second). Inside a transaction pass it as `via`: on SQLite the one connection is
   * held by that transaction, so a read through `db` would wait for itself.
   */
  async active(via: Kysely<Database> = this.db): Promise<ActiveDestination[]> {
    const now = this.clock.now();
    if (this.cache && now - this.cache.at < CACHE_MS && now >= this.cache.at) return this.cache.list;
    const version = this.version;
    const rows = await via.selectFrom('destinations').selectAll().orderBy('id').execute();
    const list = rows.filter((r) => CONNECTORS[r.connector]).map((r) => this.activeOf(r));
    if (version === this.version) this.cache = { at: now, list };
    return list;
  }

  async activeById(id: string): Promise<ActiveDestination> {
    return this.activeOf(await this.row(id));
  }

  private activeOf(r: DestinationsTable): ActiveDestination {
    const j = <T>(v: unknown) => this.dialect.parseJson(v) as T;
    return {
      id: r.id,
      name: r.name,
      kind: r.kind,
      connector: CONNECTORS[r.connector],
      category: r.category,
      config: j(r.config),
      secrets: this.openSecrets(r.secrets),
      filter: j(r.filter),
      mapping: r.mapping === null ? null : j(r.mapping),
      segments: j(r.segments),
      delivery: j(r.delivery),
      paused: r.paused_at !== null,
    };
  }

  private openSecrets(sealed: string | null): Record<string, string> {
    return sealed ? (JSON.parse(this.box.open(sealed)) as Record<string, string>) : {};
  }

  private changed() {
    this.version++;
    this.cache = null;
    for (const l of this.listeners) l();
  }

  private validate(connector: Connector, config: Record<string, unknown>, secrets: Record<string, string>) {
    for (const [what, schema, value] of [['config', connector.config, config], ['secrets', connector.secrets, secrets]] as const) {
      const first = Value.Errors(schema, value).First();
      if (first)
        throw new AppError('invalid_field', 400, `${what}${first.path.replace(/\//g, '.')} ${first.message}`, { field: `${what}${first.path.replace(/\//g, '.')}` });
    }
  }

  private async row(id: string): Promise<DestinationsTable> {
    const row = await this.db.selectFrom('destinations').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new AppError('destination_not_found', 404, `no destination ${id}`);
    return row;
  }

  private view(r: DestinationsTable): Destination {
    const j = <T>(v: unknown) => this.dialect.parseJson(v) as T;
    return {
      id: r.id,
      name: r.name,
      kind: r.kind,
      connector: r.connector,
      category: r.category,
      config: j(r.config),
      secretsSet: Object.keys(this.openSecrets(r.secrets)).sort(),
      filter: j(r.filter),
      mapping: r.mapping === null ? null : j(r.mapping),
      segments: j(r.segments),
      delivery: j(r.delivery),
      status: r.paused_at === null ? 'active' : 'paused',
      createdAt: new Date(Number(r.created_at)).toISOString(),
      updatedAt: new Date(Number(r.updated_at)).toISOString(),
    };
  }
}
