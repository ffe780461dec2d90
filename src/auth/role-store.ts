// Roles: the built-in ones (permissions.ts) and custom roles stored in `roles`. Resolving a role name
// to its grant is on every authenticated request, so custom roles are cached briefly; a change made
// by this process clears the cache at once, one made by another process is seen within CACHE_MS.
import type { Db } from '../storage/index.js';
import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import { BUILTIN_ROLES, BUILTIN_ROLE_NAMES, isBuiltinRole, type Permission, type PiiAccess, type RoleGrant } from './permissions.js';
import type { RoleView } from './schema.js';

const CACHE_MS = 2_000;

export class RoleStore {
  private cache?: { at: number; roles: Map<string, RoleView> };

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async grantOf(name: string): Promise<RoleGrant | undefined> {
    if (isBuiltinRole(name)) return BUILTIN_ROLES[name];
    return (await this.custom()).get(name);
  }

  async list(): Promise<RoleView[]> {
    const builtin = BUILTIN_ROLE_NAMES.map((name) => ({ name, builtin: true, description: null, ...BUILTIN_ROLES[name], permissions: [...BUILTIN_ROLES[name].permissions] }));
    return [...builtin, ...[...(await this.custom()).values()].sort((a, b) => a.name.localeCompare(b.name))];
  }

  async get(name: string): Promise<RoleView> {
    const role = (await this.list()).find((r) => r.name === name);
    if (!role) throw new AppError('role_not_found', 404, `no role named ${name}`);
    return role;
  }

  async create(input: { name: string; description?: string; permissions: Permission[]; piiAccess: PiiAccess }): Promise<RoleView> {
    if (isBuiltinRole(input.name) || (await this.grantOf(input.name))) throw new AppError('role_exists', 409, `a role named ${input.name} already exists`);
    const now = this.clock.now();
    await this.db
      .insertInto('roles')
      .values({ name: input.name, description: input.description ?? null, permissions: JSON.stringify(unique(input.permissions)), pii_access: input.piiAccess, created_at: now, updated_at: now })
      .execute();
    this.cache = undefined;
    return this.get(input.name);
  }

  async update(name: string, patch: { description?: string; permissions?: Permission[]; piiAccess?: PiiAccess }): Promise<RoleView> {
    if (isBuiltinRole(name)) throw new AppError('role_builtin', 409, `${name} is a built-in role and cannot be changed`);
    await this.get(name);
    await this.db
      .updateTable('roles')
      .set({
        ...(patch.description !== undefined ? { description: patch.description } : {}),
        ...(patch.permissions ? { permissions: JSON.stringify(unique(patch.permissions)) } : {}),
        ...(patch.piiAccess ? { pii_access: patch.piiAccess } : {}),
        updated_at: this.clock.now(),
      })
      .where('name', '=', name)
      .execute();
    this.cache = undefined;
    return this.get(name);
  }

  /** Refused while a user or an active API key still has the role. */
  async remove(name: string): Promise<void> {
    if (isBuiltinRole(name)) throw new AppError('role_builtin', 409, `${name} is a built-in role and cannot be deleted`);
    await this.get(name);
    const users = await this.db.selectFrom('users').select('id').where('role', '=', name).executeTakeFirst();
    const keys = await this.db.selectFrom('api_keys').select('id').where('role', '=', name).where('revoked_at', 'is', null).executeTakeFirst();
    if (users || keys) throw new AppError('role_in_use', 409, `users or API keys still have the role ${name}; give them another role first`);
    await this.db.deleteFrom('roles').where('name', '=', name).execute();
    this.cache = undefined;
  }

  private async custom(): Promise<Map<string, RoleView>> {
    const now = this.clock.now();
    if (this.cache && now - this.cache.at < CACHE_MS) return this.cache.roles;
    const rows = await this.db.selectFrom('roles').selectAll().execute();
    const roles = new Map(
      rows.map((r) => [
        r.name,
        { name: r.name, builtin: false, description: r.description, permissions: JSON.parse(r.permissions) as Permission[], piiAccess: r.pii_access as PiiAccess },
      ]),
    );
    this.cache = { at: now, roles };
    return roles;
  }
}

const unique = <T>(xs: T[]) => [...new Set(xs)].sort();
