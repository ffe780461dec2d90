// Sources and their write keys. Keys are stored as SHA-256 hashes; the plain key is returned once.
import type { Db } from '../storage/index.js';
import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import { hashSecret, newId, newSecret, secretPrefix } from '../shared/ids.js';
import type { CreateSourceBody, Source, SourceWithKey, UpdateSourceBody } from './schema.js';

/** What the tracking API needs to know about the source behind a write key. */
export interface SourceAuth {
  sourceId: string;
  enabled: boolean;
  rateLimit: number | null;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export class SourceStore {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async create(body: CreateSourceBody): Promise<SourceWithKey> {
    const now = this.clock.now();
    const id = newId('src');
    await this.db
      .insertInto('sources')
      .values({ id, name: body.name, type: body.type ?? 'server', rate_limit: body.rateLimit ?? null, disabled_at: null, created_at: now, updated_at: now })
      .execute();
    const writeKey = await this.insertKey(id, now);
    return { ...(await this.get(id)), writeKey };
  }

  async createWriteKey(sourceId: string): Promise<SourceWithKey> {
    await this.get(sourceId);
    const writeKey = await this.insertKey(sourceId, this.clock.now());
    return { ...(await this.get(sourceId)), writeKey };
  }

  async revokeWriteKey(sourceId: string, keyId: string): Promise<Source> {
    const res = await this.db
      .updateTable('write_keys')
      .set({ revoked_at: this.clock.now() })
      .where('id', '=', keyId)
      .where('source_id', '=', sourceId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) throw new AppError('write_key_not_found', 404, `no active write key ${keyId} on source ${sourceId}`);
    return this.get(sourceId);
  }

  async update(id: string, body: UpdateSourceBody): Promise<Source> {
    const current = await this.get(id);
    const now = this.clock.now();
    await this.db
      .updateTable('sources')
      .set({
        name: body.name ?? current.name,
        rate_limit: body.rateLimit === undefined ? current.rateLimit : body.rateLimit,
        disabled_at: body.enabled === undefined ? (current.enabled ? null : now) : body.enabled ? null : now,
        updated_at: now,
      })
      .where('id', '=', id)
      .execute();
    return this.get(id);
  }

  async get(id: string): Promise<Source> {
    const row = await this.db.selectFrom('sources').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new AppError('source_not_found', 404, `no source with id ${id}`);
    const keys = await this.db.selectFrom('write_keys').selectAll().where('source_id', '=', id).orderBy('created_at').execute();
    return {
      id: row.id,
      name: row.name,
      type: row.type,
      enabled: row.disabled_at === null,
      rateLimit: row.rate_limit,
      createdAt: iso(row.created_at)!,
      updatedAt: iso(row.updated_at)!,
      writeKeys: keys.map((k) => ({ id: k.id, prefix: k.prefix, createdAt: iso(k.created_at)!, revokedAt: iso(k.revoked_at) })),
    };
  }

  async list(): Promise<Source[]> {
    const rows = await this.db.selectFrom('sources').select('id').orderBy('created_at').execute();
    return Promise.all(rows.map((r) => this.get(r.id)));
  }

  /** The source a write key belongs to, or undefined for an unknown or revoked key. */
  async authenticate(writeKey: string): Promise<SourceAuth | undefined> {
    const row = await this.db
      .selectFrom('write_keys')
      .innerJoin('sources', 'sources.id', 'write_keys.source_id')
      .select(['sources.id', 'sources.disabled_at', 'sources.rate_limit'])
      .where('write_keys.key_hash', '=', hashSecret(writeKey))
      .where('write_keys.revoked_at', 'is', null)
      .executeTakeFirst();
    return row && { sourceId: row.id, enabled: row.disabled_at === null, rateLimit: row.rate_limit };
  }

  private async insertKey(sourceId: string, now: number): Promise<string> {
    const key = newSecret('wk');
    await this.db
      .insertInto('write_keys')
      .values({ id: newId('key'), source_id: sourceId, key_hash: hashSecret(key), prefix: secretPrefix(key), created_at: now, revoked_at: null })
      .execute();
    return key;
  }
}
