// Admin API keys: created by the CLI or by an admin, stored as hashes, each with a role.
import { timingSafeEqual } from 'node:crypto';
import type { Db } from '../storage/index.js';
import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import { hashSecret, newId, newSecret, secretPrefix } from '../shared/ids.js';

export const ROLES = ['admin', 'manager', 'analyst', 'support'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  keyId: string;
  role: Role;
}

export class ApiKeyStore {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    /** MERIDIAN_ADMIN_KEY: accepted as an admin key, for automation. */
    private readonly envAdminKey?: string,
  ) {}

  async create(name: string, role: Role): Promise<{ id: string; key: string; role: Role; name: string }> {
    if (!ROLES.includes(role)) throw new AppError('invalid_role', 400, `role must be one of ${ROLES.join(', ')}`);
    const key = newSecret('mk');
    const id = newId('apk');
    await this.db
      .insertInto('api_keys')
      .values({ id, name, role, key_hash: hashSecret(key), prefix: secretPrefix(key), created_at: this.clock.now(), revoked_at: null })
      .execute();
    return { id, key, role, name };
  }

  async authenticate(key: string): Promise<Principal | undefined> {
    if (this.envAdminKey && safeEqual(key, this.envAdminKey)) return { keyId: 'env', role: 'admin' };
    const row = await this.db
      .selectFrom('api_keys')
      .select(['id', 'role'])
      .where('key_hash', '=', hashSecret(key))
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return row && { keyId: row.id, role: row.role as Role };
  }
}

function safeEqual(a: string, b: string) {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
