// Settings and durable state of the connectors attached to a source (webhook, transformation, MQTT,
// database sync): one row per source and kind. Secrets are sealed with the SecretBox and never
// returned by the API; state (cursors) and leases let one process at a time run a connector.
import './connector-tables.js';
import type { Db, Dialect } from '../storage/index.js';
import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import type { SecretBox } from '../shared/secret-box.js';

// vendor_api: a webhook vendor's API access token (secret) and base URL (config), for vendors whose
// deliveries carry ids only (SurveyMonkey).
export const CONNECTOR_KINDS = ['webhook', 'transformation', 'mqtt', 'db_sync', 'vendor_api'] as const;
export type ConnectorKind = (typeof CONNECTOR_KINDS)[number];

export interface Connector<C = Record<string, unknown>, S = Record<string, unknown>> {
  sourceId: string;
  kind: ConnectorKind;
  config: C;
  hasSecret: boolean;
  state: S | null;
  lastRunAt: number | null;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
}

export class ConnectorStore {
  private readonly listeners = new Set<(sourceId: string, kind: ConnectorKind) => void>();

  constructor(
    private readonly db: Db,
    private readonly dialect: Dialect,
    private readonly clock: Clock,
    private readonly box: SecretBox,
  ) {}

  /** In-process notification after a change, so running workers and caches pick it up at once. */
  onChange(listener: (sourceId: string, kind: ConnectorKind) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Creates or replaces the connector of this kind on the source. `secret`: a string replaces it,
   * null removes it, undefined keeps the stored one. Replacing the config keeps the state unless
   * `resetState` is set (a sync pointed at another table must not reuse the old cursor).
   */
  async put(sourceId: string, kind: ConnectorKind, config: object, secret?: string | null, resetState = false): Promise<Connector> {
    const source = await this.db.selectFrom('sources').select('id').where('id', '=', sourceId).executeTakeFirst();
    if (!source) throw new AppError('source_not_found', 404, `no source with id ${sourceId}`);
    const now = this.clock.now();
    const sealed = typeof secret === 'string' ? this.box.seal(secret) : secret;
    const existing = await this.row(sourceId, kind);
    if (existing) {
      await this.db
        .updateTable('source_connectors')
        .set({
          config: JSON.stringify(config),
          ...(sealed !== undefined ? { secret: sealed } : {}),
          ...(resetState ? { state: null, last_error: null } : {}),
          updated_at: now,
        })
        .where('source_id', '=', sourceId)
        .where('kind', '=', kind)
        .execute();
    } else {
      await this.db
        .insertInto('source_connectors')
        .values({
          source_id: sourceId,
          kind,
          config: JSON.stringify(config),
          secret: sealed ?? null,
          state: null,
          lease_until: null,
          last_run_at: null,
          last_error: null,
          created_at: now,
          updated_at: now,
        })
        .execute();
    }
    this.changed(sourceId, kind);
    return (await this.get(sourceId, kind))!;
  }

  async get<C = Record<string, unknown>, S = Record<string, unknown>>(sourceId: string, kind: ConnectorKind): Promise<Connector<C, S> | undefined> {
    const row = await this.row(sourceId, kind);
    return row && this.toConnector<C, S>(row);
  }

  /** The connector or a 404 naming what is missing. */
  async require<C = Record<string, unknown>, S = Record<string, unknown>>(sourceId: string, kind: ConnectorKind): Promise<Connector<C, S>> {
    const found = await this.get<C, S>(sourceId, kind);
    if (!found) throw new AppError(`${kind}_not_configured`, 404, `source ${sourceId} has no ${kind.replace('_', ' ')} configured`);
    return found;
  }

  async list<C = Record<string, unknown>, S = Record<string, unknown>>(kind: ConnectorKind): Promise<Connector<C, S>[]> {
    const rows = await this.db.selectFrom('source_connectors').selectAll().where('kind', '=', kind).orderBy('source_id').execute();
    return rows.map((r) => this.toConnector<C, S>(r));
  }

  /** The stored secret in clear, for the connector's own use only. */
  async secret(sourceId: string, kind: ConnectorKind): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('source_connectors')
      .select('secret')
      .where('source_id', '=', sourceId)
      .where('kind', '=', kind)
      .executeTakeFirst();
    return row?.secret ? this.box.open(row.secret) : undefined;
  }

  async remove(sourceId: string, kind: ConnectorKind): Promise<void> {
    const res = await this.db.deleteFrom('source_connectors').where('source_id', '=', sourceId).where('kind', '=', kind).executeTakeFirst();
    if (Number(res.numDeletedRows) === 0) throw new AppError(`${kind}_not_configured`, 404, `source ${sourceId} has no ${kind.replace('_', ' ')} configured`);
    this.changed(sourceId, kind);
  }

  /** Records a run's outcome; `state` undefined keeps the stored state (a failed run keeps its cursor). */
  async recordRun(sourceId: string, kind: ConnectorKind, outcome: { state?: object; error: string | null }): Promise<void> {
    await this.db
      .updateTable('source_connectors')
      .set({
        ...(outcome.state !== undefined ? { state: JSON.stringify(outcome.state) } : {}),
        last_run_at: this.clock.now(),
        last_error: outcome.error,
      })
      .where('source_id', '=', sourceId)
      .where('kind', '=', kind)
      .execute();
  }

  /**
   * Takes the connector's lease for `ms` if no other process holds it: an atomic conditional update,
   * so it works the same on SQLite and PostgreSQL. Returns the lease value to release with, or null.
   */
  async claim(sourceId: string, kind: ConnectorKind, ms: number): Promise<number | null> {
    const now = this.clock.now();
    const until = now + ms;
    const res = await this.db
      .updateTable('source_connectors')
      .set({ lease_until: until })
      .where('source_id', '=', sourceId)
      .where('kind', '=', kind)
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1 ? until : null;
  }

  /** Extends a lease this process holds; null when it was lost (expired and taken by another). */
  async renew(sourceId: string, kind: ConnectorKind, lease: number, ms: number): Promise<number | null> {
    const until = Math.max(this.clock.now() + ms, lease + 1);
    return (await this.swapLease(sourceId, kind, lease, until)) ? until : null;
  }

  async release(sourceId: string, kind: ConnectorKind, lease: number): Promise<void> {
    await this.swapLease(sourceId, kind, lease, null);
  }

  /** Changes the lease only if it still is `from` (nobody took it over meanwhile). */
  private async swapLease(sourceId: string, kind: ConnectorKind, from: number, to: number | null): Promise<boolean> {
    const res = await this.db
      .updateTable('source_connectors')
      .set({ lease_until: to })
      .where('source_id', '=', sourceId)
      .where('kind', '=', kind)
      .where('lease_until', '=', from)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  private row(sourceId: string, kind: ConnectorKind) {
    return this.db.selectFrom('source_connectors').selectAll().where('source_id', '=', sourceId).where('kind', '=', kind).executeTakeFirst();
  }

  private toConnector<C, S>(r: {
    source_id: string;
    kind: string;
    config: string;
    secret: string | null;
    state: string | null;
    last_run_at: number | null;
    last_error: string | null;
    created_at: number;
    updated_at: number;
  }): Connector<C, S> {
    return {
      sourceId: r.source_id,
      kind: r.kind as ConnectorKind,
      config: this.dialect.parseJson(r.config) as C,
      hasSecret: r.secret !== null,
      state: r.state === null ? null : (this.dialect.parseJson(r.state) as S),
      lastRunAt: r.last_run_at,
      lastError: r.last_error,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    };
  }

  private changed(sourceId: string, kind: ConnectorKind) {
    for (const l of this.listeners) l(sourceId, kind);
  }
}
