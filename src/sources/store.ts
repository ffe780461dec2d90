// Sources and their write keys. Keys are stored as SHA-256 hashes; the plain key is returned once.
import type { Db } from '../storage/index.js';
import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import { hashSecret, newId, newSecret, secretPrefix } from '../shared/ids.js';
import type { CreateSourceBody, Source, SourceWithKey, UpdateSourceBody } from './schema.js';
import { originCheck, type OriginCheck } from './origins.js';

/** What the tracking API needs to know about the source behind a write key. */
export interface SourceAuth {
  sourceId: string;
  enabled: boolean;
  rateLimit: number | null;
  /** Whether a browser call from this Origin is admitted (see origins.ts). */
  admitsOrigin: OriginCheck;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const originsColumn = (origins: string[] | null | undefined) => (origins ? JSON.stringify(origins) : null);
const parseOrigins = (column: string | null) => (column === null ? null : (JSON.parse(column) as string[]));

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
      .values({ id, name: body.name, type: body.type ?? 'server', rate_limit: body.rateLimit ?? null, allowed_origins: originsColumn(body.allowedOrigins), disabled_at: null, created_at: now, updated_at: now })
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
        allowed_origins: originsColumn(body.allowedOrigins === undefined ? current.allowedOrigins : body.allowedOrigins),
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
      allowedOrigins: parseOrigins(row.allowed_origins),
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
      .select(['sources.id', 'sources.disabled_at', 'sources.rate_limit', 'sources.allowed_origins'])
      .where('write_keys.key_hash', '=', hashSecret(writeKey))
      .where('write_keys.revoked_at', 'is', null)
      .executeTakeFirst();
    return (
      row && { sourceId: row.id, enabled: row.disabled_at === null, rateLimit: row.rate_limit, admitsOrigin: originCheck(parseOrigins(row.allowed_origins)) }
    );
  }

  /**
   * Whether some enabled source admits this origin. A preflight carries no write key, so this is all
   * the tracking endpoints can tell it; the call itself is then checked against its own source.
   */
  async admittedOrigins(): Promise<OriginCheck> {
    const rows = await this.db.selectFrom('sources').select('allowed_origins').where('disabled_at', 'is', null).execute();
    if (rows.some((r) => r.allowed_origins === null)) return originCheck(null);
    return originCheck(rows.flatMap((r) => parseOrigins(r.allowed_origins)!));
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
