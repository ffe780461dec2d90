// Console sessions: a random token in an HttpOnly cookie, stored as its hash, with a per-session
// CSRF token the console sends back in X-CSRF-Token on unsafe requests. A session ends at its
// expiry, at sign-out, or when its user is disabled or deleted.
import { randomBytes } from 'node:crypto';
import type { Db } from '../storage/index.js';
import type { Clock } from '../shared/clock.js';
import { hashSecret, newId, newSecret } from '../shared/ids.js';
import type { UserRow } from './user-store.js';

export const SESSION_COOKIE = 'meridian_session';

export interface Session {
  id: string;
  token: string;
  csrfToken: string;
  expiresAt: number;
}

export class SessionStore {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {}

  async create(userId: string): Promise<Session> {
    const now = this.clock.now();
    const session = { id: newId('ses'), token: newSecret('ms'), csrfToken: randomBytes(24).toString('base64url'), expiresAt: now + this.ttlMs };
    await this.db
      .insertInto('sessions')
      .values({ id: session.id, token_hash: hashSecret(session.token), user_id: userId, csrf_token: session.csrfToken, created_at: now, expires_at: session.expiresAt })
      .execute();
    return session;
  }

  /** The live session of a token and its (enabled) user; undefined when unknown, expired or disabled. */
  async lookup(token: string): Promise<{ id: string; csrfToken: string; user: UserRow } | undefined> {
    const row = await this.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .selectAll('users')
      .select(['sessions.id as session_id', 'sessions.csrf_token', 'sessions.expires_at'])
      .where('sessions.token_hash', '=', hashSecret(token))
      .executeTakeFirst();
    if (!row || row.expires_at <= this.clock.now() || row.disabled_at !== null) return undefined;
    const { session_id, csrf_token, expires_at: _expires, ...user } = row;
    return { id: session_id, csrfToken: csrf_token, user };
  }

  async end(id: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id', '=', id).execute();
  }

  /** Ends every session of a user (disabled, password changed) and drops expired ones. */
  async endAllOf(userId: string): Promise<void> {
    await this.db.deleteFrom('sessions').where((eb) => eb.or([eb('user_id', '=', userId), eb('expires_at', '<=', this.clock.now())])).execute();
  }
}
