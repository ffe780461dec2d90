// Destinations: create, configure, pause, delete. Validates connector settings, seals secrets, and
// keeps an in-process cache of the destinations the pipeline stages and the delivery engine read.
//
// A destination that cannot be used — its secrets cannot be opened (sealed under another key), its
// stored settings no longer pass its connector's schema, its connector is unknown — is `errored` with
// the reason, on its own: the others are read and delivered as usual. While only its delivery side is
// broken, the stages still queue its deliveries and the engine holds them; fixing it (PATCH) delivers
// that backlog.
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
  /** Set when the destination cannot deliver (its queue is held); null when it can. */
  error: DestinationError | null;
}

export interface DestinationError {
  code: string;
  message: string;
}

const CACHE_MS = 1_000;

export class DestinationStore {
  private cache: { at: number; list: ActiveDestination[] } | null = null;
  /** The errored destinations as of the last read, with their connector (metrics). */
  private errors = new Map<string, DestinationError & { connector: string }>();
  /** Bumped on every change, so a read that raced a change does not cache what it read. */
  private version = 0;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly db: Db,
    private readonly dialect: Dialect,
    private readonly clock: Clock,
    private readonly box: SecretBox,
    /** Told once when a destination becomes errored (with the error) and when it is fixed (null). */
    private readonly onErrored?: (d: { id: string; name: string; connector: string }, error: DestinationError | null) => void,
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
    // Secrets are replaced key by key: a PATCH that fixes one token keeps the others. Secrets that
    // cannot be opened (sealed under another key) are dropped: the PATCH gives them all again.
    const secrets = { ...this.tryOpenSecrets(row.secrets), ...(body.secrets ?? {}) };
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
    const list: ActiveDestination[] = [];
    const errors = new Map<string, DestinationError & { connector: string }>();
    for (const r of rows) {
      const { active, error } = this.inspect(r);
      if (active) list.push(active);
      if (error) errors.set(r.id, { ...error, connector: r.connector });
      const before = this.errors.get(r.id);
      if (error?.message !== before?.message) this.onErrored?.({ id: r.id, name: r.name, connector: r.connector }, error);
    }
    this.errors = errors;
    if (version === this.version) this.cache = { at: now, list };
    return list;
  }

  /** The errored destinations (read with active(), so at most a second old). */
  async errored(): Promise<Map<string, DestinationError & { connector: string }>> {
    await this.active();
    return this.errors;
  }

  /** A destination to use now (test, resync): 409 destination_errored when it cannot be used. */
  async activeById(id: string): Promise<ActiveDestination> {
    const { active, error } = this.inspect(await this.row(id));
    if (!active || error) throw new AppError('destination_errored', 409, `the destination cannot be used: ${error?.message}`, { reason: error?.code });
    return active;
  }

  /**
   * The destination as the stages and the engine use it, and what makes it unusable. Without readable
   * routing settings (filter, segments…) or a known connector it is not routed at all; with only its
   * secrets or connector settings broken it is routed (deliveries queue) with `error` set (held).
   */
  private inspect(r: DestinationsTable): { active?: ActiveDestination; error: DestinationError | null } {
    const j = <T>(v: unknown) => this.dialect.parseJson(v) as T;
    const connector = CONNECTORS[r.connector];
    if (!connector) return { error: { code: 'unknown_connector', message: `no connector ${r.connector} in this version of Meridian` } };
    let routing: Omit<ActiveDestination, 'secrets' | 'error'>;
    try {
      routing = {
        id: r.id,
        name: r.name,
        kind: r.kind,
        connector,
        category: r.category,
        config: j(r.config),
        filter: j(r.filter),
        mapping: r.mapping === null ? null : j(r.mapping),
        segments: j(r.segments),
        delivery: j(r.delivery),
        paused: r.paused_at !== null,
      };
    } catch (err) {
      return { error: { code: 'invalid_stored_config', message: `the stored settings cannot be read: ${(err as Error).message}` } };
    }
    let secrets: Record<string, string> = {};
    let error: DestinationError | null = null;
    try {
      secrets = this.openSecrets(r.secrets);
      const invalid = this.invalidField(connector, routing.config, secrets);
      if (invalid) error = { code: 'invalid_config', message: `the stored settings are not valid for the ${connector.name} connector: ${invalid.message}` };
    } catch (err) {
      error = { code: err instanceof AppError ? err.code : 'secret_unreadable', message: (err as Error).message };
    }
    return { active: { ...routing, secrets: error ? {} : secrets, error }, error };
  }

  private openSecrets(sealed: string | null): Record<string, string> {
    return sealed ? (JSON.parse(this.box.open(sealed)) as Record<string, string>) : {};
  }

  private tryOpenSecrets(sealed: string | null): Record<string, string> {
    try {
      return this.openSecrets(sealed);
    } catch {
      return {};
    }
  }

  private changed() {
    this.version++;
    this.cache = null;
    for (const l of this.listeners) l();
  }

  private validate(connector: Connector, config: Record<string, unknown>, secrets: Record<string, string>) {
    const invalid = this.invalidField(connector, config, secrets);
    if (invalid) throw new AppError('invalid_field', 400, invalid.message, { field: invalid.field });
  }

  private invalidField(connector: Connector, config: Record<string, unknown>, secrets: Record<string, string>): { field: string; message: string } | null {
    for (const [what, schema, value] of [['config', connector.config, config], ['secrets', connector.secrets, secrets]] as const) {
      const first = Value.Errors(schema, value).First();
      if (first) return { field: `${what}${first.path.replace(/\//g, '.')}`, message: `${what}${first.path.replace(/\//g, '.')} ${first.message}` };
    }
    return null;
  }

  private async row(id: string): Promise<DestinationsTable> {
    const row = await this.db.selectFrom('destinations').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new AppError('destination_not_found', 404, `no destination ${id}`);
    return row;
  }

  private view(r: DestinationsTable): Destination {
    const j = <T>(v: unknown) => this.dialect.parseJson(v) as T;
    const { error } = this.inspect(r);
    return {
      id: r.id,
      name: r.name,
      kind: r.kind,
      connector: r.connector,
      category: r.category,
      config: j(r.config),
      secretsSet: Object.keys(this.tryOpenSecrets(r.secrets)).sort(),
      filter: j(r.filter),
      mapping: r.mapping === null ? null : j(r.mapping),
      segments: j(r.segments),
      delivery: j(r.delivery),
      status: r.paused_at === null ? 'active' : 'paused',
      state: error ? 'errored' : 'ok',
      error,
      createdAt: new Date(Number(r.created_at)).toISOString(),
      updatedAt: new Date(Number(r.updated_at)).toISOString(),
    };
  }
}
