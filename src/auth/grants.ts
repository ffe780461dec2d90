// Who may hand out which role: nobody grants more than they hold (a role whose permissions are not all
// the caller's), only an owner makes or changes owners, and the last enabled owner stays one.
import type { Db } from '../storage/index.js';
import { AppError } from '../shared/errors.js';
import type { Principal } from './principal.js';
import type { RoleStore } from './role-store.js';

export async function assertMayGrant(roles: RoleStore, principal: Principal, role: string): Promise<void> {
  const grant = await roles.grantOf(role);
  if (!grant) throw new AppError('role_not_found', 404, `no role named ${role}`);
  if (role === 'owner' && principal.role !== 'owner') throw new AppError('forbidden', 403, 'only an owner can make another owner');
  const missing = grant.permissions.filter((p) => !principal.permissions.has(p));
  if (missing.length > 0) throw new AppError('forbidden', 403, `the role ${role} has permissions you do not: ${missing.join(', ')}`, { missing });
}

/** Refuses to touch an owner unless the caller is one, and to remove the last enabled owner. */
export async function assertOwnerChange(db: Db, principal: Principal, target: { id: string; role: string }, removesOwner: boolean): Promise<void> {
  if (target.role !== 'owner') return;
  if (principal.role !== 'owner') throw new AppError('forbidden', 403, 'only an owner can change an owner');
  if (!removesOwner) return;
  const others = await db.selectFrom('users').select('id').where('role', '=', 'owner').where('disabled_at', 'is', null).where('id', '!=', target.id).executeTakeFirst();
  if (!others) throw new AppError('last_owner', 409, 'this is the last enabled owner: make another owner first');
}
