// Turns request credentials into a Principal: `Authorization: Bearer <API key>` or the session
// cookie. The role's grant (permissions, PII access) is resolved on every request, so a role change
// takes effect at the caller's next request.
import type { FastifyRequest } from 'fastify';
import { AppError } from '../shared/errors.js';
import type { ApiKeyStore } from './api-keys.js';
import type { Principal } from './principal.js';
import type { RoleStore } from './role-store.js';
import { SESSION_COOKIE, type SessionStore } from './session-store.js';

export interface Authenticator {
  /** The caller, or undefined when the request carries no credential at all. */
  principalOf(req: FastifyRequest): Promise<Principal | undefined>;
}

export function authenticator(deps: { keys: ApiKeyStore; sessions: SessionStore; roles: RoleStore }): Authenticator {
  const grantFor = async (role: string) => {
    const grant = await deps.roles.grantOf(role);
    if (!grant) throw new AppError('role_not_found', 403, `the role ${role} no longer exists; ask an admin for another`);
    return grant;
  };
  return {
    async principalOf(req) {
      const header = req.headers.authorization;
      if (header !== undefined) {
        const match = /^Bearer\s+(\S+)$/i.exec(header);
        if (!match) throw new AppError('unauthenticated', 401, 'send an API key as `Authorization: Bearer <key>` or sign in');
        const key = await deps.keys.authenticate(match[1]);
        if (!key) throw new AppError('invalid_api_key', 401, 'the API key is unknown or revoked');
        const grant = await grantFor(key.role);
        return { kind: 'api_key', id: key.id, actor: `key:${key.id}`, keyId: `key:${key.id}`, label: key.name, role: key.role, permissions: new Set(grant.permissions), piiAccess: grant.piiAccess };
      }
      const token = req.cookies?.[SESSION_COOKIE];
      if (!token) return undefined;
      const session = await deps.sessions.lookup(token);
      if (!session) throw new AppError('session_expired', 401, 'the session has ended; sign in again');
      const grant = await grantFor(session.user.role);
      return {
        kind: 'user',
        id: session.user.id,
        actor: `user:${session.user.id}`,
        keyId: `user:${session.user.id}`,
        label: session.user.email,
        role: session.user.role,
        permissions: new Set(grant.permissions),
        piiAccess: grant.piiAccess,
        session: { id: session.id, csrfToken: session.csrfToken },
      };
    },
  };
}
