// Signing in and out of the console, and who the caller is. POST /v1/session checks email and
// password (rate-limited per client address, accounts lock after repeated failures) and sets the
// session cookie: HttpOnly, SameSite=Lax, Secure when the request came over TLS.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import { PageOf } from '../shared/paging.js';
import type { AuditStore } from './audit/audit-store.js';
import { hashIdentifier } from './audit/recorder.js';
import { SIGN_IN_FAILED } from './audit/alert-rules.js';
import { PERMISSIONS } from './permissions.js';
import type { Principal } from './principal.js';
import type { RoleStore } from './role-store.js';
import { ChangePasswordBody, Me, PermissionName, SignInBody } from './schema.js';
import { SESSION_COOKIE, type SessionStore } from './session-store.js';
import type { SignInLimiter } from './sign-in-limiter.js';
import type { UserStore } from './user-store.js';

const tags = ['access'];

export interface SessionRouteOptions {
  users: UserStore;
  sessions: SessionStore;
  roles: RoleStore;
  audit: AuditStore;
  limiter: SignInLimiter;
  clock: Clock;
}

export async function sessionRoutes(app: FastifyInstance, o: SessionRouteOptions) {
  app.post<{ Body: SignInBody }>(
    '/v1/session',
    { schema: { tags, summary: 'Sign in with email and password (sets the session cookie)', security: [], body: SignInBody, response: { 200: Me } } },
    async (req, reply) => {
      const wait = o.limiter.waitFor(req.ip);
      if (wait > 0) throw new AppError('rate_limited', 429, 'too many failed sign-ins from this address; wait and retry', undefined, { 'retry-after': String(Math.ceil(wait / 1000)) });
      const { user, failure } = await o.users.verify(req.body.email, req.body.password);
      if (failure || !user) {
        o.limiter.fail(req.ip);
        await o.audit.append({
          actor: user ? `user:${user.id}` : 'anonymous',
          actorLabel: user?.email ?? null,
          action: SIGN_IN_FAILED,
          target: user ? `user=${user.id}` : `email=${hashIdentifier(req.body.email.trim().toLowerCase())}`,
          status: failure === 'locked' ? 423 : 401,
          ip: req.ip,
          details: { reason: failure },
        });
        if (failure === 'locked') throw new AppError('account_locked', 423, 'too many failed sign-ins: the account is locked for a while; an admin can unlock it by setting a password');
        throw new AppError('invalid_credentials', 401, 'the email or password is wrong');
      }
      const grant = await o.roles.grantOf(user.role);
      if (!grant) throw new AppError('role_not_found', 403, `the role ${user.role} no longer exists; ask an admin for another`);
      const session = await o.sessions.create(user.id);
      setSessionCookie(req, reply, session.token, session.expiresAt);
      await o.audit.append({ actor: `user:${user.id}`, actorLabel: user.email, action: 'sign_in', target: `user=${user.id}`, status: 200, ip: req.ip });
      return {
        kind: 'user' as const,
        id: user.id,
        label: user.email,
        role: user.role,
        permissions: [...grant.permissions],
        piiAccess: grant.piiAccess,
        csrfToken: session.csrfToken,
      };
    },
  );

  app.delete('/v1/session', { schema: { tags, summary: 'Sign out (ends the cookie session)' } }, async (req, reply) => {
    if (req.principal?.session) await o.sessions.end(req.principal.session.id);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.code(204).send();
  });

  app.get('/v1/me', { schema: { tags, summary: 'Who the caller is: role, permissions, PII access (and the CSRF token of a cookie session)', response: { 200: Me } } }, async (req) =>
    meOf(req.principal!),
  );

  app.post<{ Body: ChangePasswordBody }>(
    '/v1/me/password',
    { schema: { tags, summary: "Change the signed-in user's password (ends the user's other sessions)", body: ChangePasswordBody } },
    async (req, reply) => {
      const p = req.principal!;
      if (p.kind !== 'user') throw new AppError('forbidden', 403, 'an API key has no password; sign in as a user');
      await o.users.changeOwnPassword(p.id, req.body.currentPassword, req.body.newPassword);
      await o.sessions.endAllOf(p.id);
      // The session making the change was ended with the others: give it a fresh one.
      const session = await o.sessions.create(p.id);
      setSessionCookie(req, reply, session.token, session.expiresAt);
      return reply.code(204).send();
    },
  );

  app.get('/v1/permissions', { schema: { tags, summary: 'Every permission a role can grant', response: { 200: PageOf(PermissionName) } } }, async () => ({
    data: [...PERMISSIONS],
    next: null,
  }));
}

export function meOf(p: Principal): Me {
  return { kind: p.kind, id: p.id, label: p.label, role: p.role, permissions: [...p.permissions], piiAccess: p.piiAccess, ...(p.session ? { csrfToken: p.session.csrfToken } : {}) };
}

function setSessionCookie(req: FastifyRequest, reply: FastifyReply, token: string, expiresAt: number) {
  reply.setCookie(SESSION_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'lax', secure: req.protocol === 'https', expires: new Date(expiresAt) });
}
