// Console users: email + scrypt password hash + role. Failed sign-ins are counted per user; at
// LOCK_AFTER in a row the account locks for LOCK_MS (a correct password does not open it early), and
// an admin setting a new password unlocks it.
import { randomBytes } from 'node:crypto';
import type { Db } from '../storage/index.js';
import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import type { Page } from '../shared/paging.js';
import { decoyHash, hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from './password.js';
import type { RoleStore } from './role-store.js';
import type { User } from './schema.js';
import type { UsersTable } from '../storage/schema.js';

export const LOCK_AFTER = 5;
export const LOCK_MS = 15 * 60_000;

export type UserRow = UsersTable;

export class UserStore {
  private decoy?: Promise<string>;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly roles: RoleStore,
    /** log2 of scrypt's N (config.passwordCost). */
    private readonly cost: number,
  ) {}

  async count(): Promise<number> {
    const row = await this.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Creates a user; without a password one is generated and returned (once). */
  async create(input: { email: string; name?: string; role: string; password?: string }): Promise<{ user: User; password?: string }> {
    if (!(await this.roles.grantOf(input.role))) throw new AppError('role_not_found', 404, `no role named ${input.role}`);
    const email = input.email.trim().toLowerCase();
    if (await this.byEmail(email)) throw new AppError('user_exists', 409, `a user with the email ${email} already exists`);
    const generated = input.password === undefined ? randomBytes(18).toString('base64url') : undefined;
    const password = input.password ?? generated!;
    checkStrength(password);
    const now = this.clock.now();
    const row: UserRow = {
      id: newId('usr'),
      email,
      name: input.name ?? null,
      role: input.role,
      password_hash: await hashPassword(password, this.cost),
      disabled_at: null,
      failed_sign_ins: 0,
      locked_until: null,
      last_sign_in_at: null,
      created_at: now,
      updated_at: now,
    };
    await this.db.insertInto('users').values(row).execute();
    return { user: this.view(row), password: generated };
  }

  async list(): Promise<Page<User>> {
    const rows = await this.db.selectFrom('users').selectAll().orderBy('email').execute();
    return { data: rows.map((r) => this.view(r)), next: null };
  }

  async row(id: string): Promise<UserRow> {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new AppError('user_not_found', 404, `no user ${id}`);
    return row;
  }

  async get(id: string): Promise<User> {
    return this.view(await this.row(id));
  }

  async update(id: string, patch: { name?: string; role?: string; disabled?: boolean; password?: string }): Promise<User> {
    const row = await this.row(id);
    if (patch.role !== undefined && !(await this.roles.grantOf(patch.role))) throw new AppError('role_not_found', 404, `no role named ${patch.role}`);
    if (patch.password !== undefined) checkStrength(patch.password);
    const set: Partial<UserRow> = { updated_at: this.clock.now() };
    if (patch.name !== undefined) set.name = patch.name;
    if (patch.role !== undefined) set.role = patch.role;
    if (patch.disabled !== undefined) set.disabled_at = patch.disabled ? (row.disabled_at ?? this.clock.now()) : null;
    if (patch.password !== undefined) Object.assign(set, { password_hash: await hashPassword(patch.password, this.cost), failed_sign_ins: 0, locked_until: null });
    await this.db.updateTable('users').set(set).where('id', '=', id).execute();
    return this.get(id);
  }

  async changeOwnPassword(id: string, current: string, next: string): Promise<void> {
    const row = await this.row(id);
    if (!(await verifyPassword(current, row.password_hash))) throw new AppError('invalid_credentials', 401, 'the current password is wrong');
    await this.update(id, { password: next });
  }

  /** Recovery from the CLI: sets (or generates and returns) a password by email and unlocks the account. */
  async resetPassword(email: string, password?: string): Promise<string> {
    const row = await this.byEmail(email.trim().toLowerCase());
    if (!row) throw new AppError('user_not_found', 404, `no user with the email ${email}`);
    const next = password ?? randomBytes(18).toString('base64url');
    await this.update(row.id, { password: next });
    return next;
  }

  /** The user an email + password sign in as; every failure is the same 401 but for a locked account. */
  async verify(emailInput: string, password: string): Promise<{ user?: UserRow; failure?: 'unknown' | 'wrong_password' | 'locked' | 'disabled' }> {
    const now = this.clock.now();
    const row = await this.byEmail(emailInput.trim().toLowerCase());
    if (!row) {
      // Same work as a real check, so response time does not tell which emails have accounts.
      await verifyPassword(password, await (this.decoy ??= decoyHash(this.cost)));
      return { failure: 'unknown' };
    }
    if (row.locked_until !== null && row.locked_until > now) return { user: row, failure: 'locked' };
    const ok = await verifyPassword(password, row.password_hash);
    if (!ok) {
      const failures = (row.locked_until !== null ? 0 : row.failed_sign_ins) + 1;
      const locked = failures >= LOCK_AFTER ? now + LOCK_MS : null;
      await this.db.updateTable('users').set({ failed_sign_ins: locked ? 0 : failures, locked_until: locked }).where('id', '=', row.id).execute();
      return { user: { ...row, locked_until: locked }, failure: locked ? 'locked' : 'wrong_password' };
    }
    if (row.disabled_at !== null) return { user: row, failure: 'disabled' };
    await this.db.updateTable('users').set({ failed_sign_ins: 0, locked_until: null, last_sign_in_at: now }).where('id', '=', row.id).execute();
    return { user: row };
  }

  private byEmail(email: string) {
    return this.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
  }

  view(r: UserRow): User {
    return {
      id: r.id,
      email: r.email,
      name: r.name,
      role: r.role,
      disabled: r.disabled_at !== null,
      locked: r.locked_until !== null && r.locked_until > this.clock.now(),
      lastSignInAt: r.last_sign_in_at === null ? null : new Date(r.last_sign_in_at).toISOString(),
      createdAt: new Date(r.created_at).toISOString(),
    };
  }
}

function checkStrength(password: string) {
  if ([...password].length < MIN_PASSWORD_LENGTH) throw new AppError('weak_password', 400, `a password needs at least ${MIN_PASSWORD_LENGTH} characters`);
}
