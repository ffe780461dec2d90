// Admin API keys: created by the CLI or through the API, stored as hashes, each with a role and an
// optional expiry. MERIDIAN_ADMIN_KEY (env) is accepted as an admin key, for automation.
import { timingSafeEqual } from 'node:crypto';
import type { Db } from '../storage/index.js';
import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import { hashSecret, newId, newSecret, secretPrefix } from '../shared/ids.js';
import type { Page } from '../shared/paging.js';
import type { RoleStore } from './role-store.js';
import type { ApiKey } from './schema.js';

export interface KeyIdentity {
  id: string;
  name: string;
  role: string;
}

export const ENV_KEY_ID = 'env';

export class ApiKeyStore {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly roles: RoleStore,
    private readonly envAdminKey?: string,
  ) {}

  async create(name: string, role: string, expiresAt?: number): Promise<ApiKey & { key: string }> {
    if (!(await this.roles.grantOf(role))) throw new AppError('role_not_found', 404, `no role named ${role}`);
    if (expiresAt !== undefined && expiresAt <= this.clock.now()) throw new AppError('invalid_field', 400, 'expiresAt must be in the future', { field: 'expiresAt' });
    const key = newSecret('mk');
    const row = { id: newId('apk'), name, role, key_hash: hashSecret(key), prefix: secretPrefix(key), created_at: this.clock.now(), revoked_at: null, expires_at: expiresAt ?? null };
    await this.db.insertInto('api_keys').values(row).execute();
    return { ...view(row), key };
  }

  /** Undefined for an unknown or revoked key; throws api_key_expired for an expired one. */
  async authenticate(key: string): Promise<KeyIdentity | undefined> {
    if (this.envAdminKey && safeEqual(key, this.envAdminKey)) return { id: ENV_KEY_ID, name: 'MERIDIAN_ADMIN_KEY', role: 'admin' };
    const row = await this.db
      .selectFrom('api_keys')
      .select(['id', 'name', 'role', 'expires_at'])
      .where('key_hash', '=', hashSecret(key))
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (!row) return undefined;
    if (row.expires_at !== null && row.expires_at <= this.clock.now()) throw new AppError('api_key_expired', 401, `the API key expired on ${new Date(row.expires_at).toISOString()}`);
    return { id: row.id, name: row.name, role: row.role };
  }

  async list(): Promise<Page<ApiKey>> {
    const rows = await this.db.selectFrom('api_keys').selectAll().orderBy('created_at', 'desc').orderBy('id').execute();
    return { data: rows.map(view), next: null };
  }

  async revoke(id: string): Promise<ApiKey> {
    const row = await this.db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new AppError('api_key_not_found', 404, `no API key ${id}`);
    if (row.revoked_at === null) {
      row.revoked_at = this.clock.now();
      await this.db.updateTable('api_keys').set({ revoked_at: row.revoked_at }).where('id', '=', id).execute();
    }
    return view(row);
  }
}

type Row = { id: string; name: string; role: string; prefix: string; created_at: number; expires_at: number | null; revoked_at: number | null };
const view = (r: Row): ApiKey => ({
  id: r.id,
  name: r.name,
  role: r.role,
  prefix: r.prefix,
  createdAt: new Date(r.created_at).toISOString(),
  expiresAt: r.expires_at === null ? null : new Date(r.expires_at).toISOString(),
  revoked: r.revoked_at !== null,
});

function safeEqual(a: string, b: string) {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
