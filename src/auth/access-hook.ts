// The one place access is decided: each request's route is looked up in ROUTE_PERMISSIONS, the
// caller authenticated, cookie sessions made to prove the CSRF token on unsafe methods, the role's
// permission checked, and each caller held to the admin rate limit.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import { TokenBucket } from '../shared/token-bucket.js';
import type { Authenticator } from './authenticate.js';
import { accessOf, routesWithoutPermission, type RouteAccess } from './route-permissions.js';

export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
export const isUnsafe = (method: string) => !SAFE_METHODS.has(method);

export interface AccessOptions {
  auth: Authenticator;
  clock: Clock;
  /** Requests a second per caller on authenticated routes (MERIDIAN_ADMIN_RATE_LIMIT). */
  adminRateLimit: number;
}

/** Install before any route is registered. */
export function installAccessControl(app: FastifyInstance, opts: AccessOptions) {
  const buckets = new Map<string, TokenBucket>();
  // Callback-style, so that the routes that need no principal (tracking calls: 'collect') pass
  // without a promise; the others authenticate asynchronously.
  app.addHook('onRequest', (req, _reply, done) => {
    const { method, url } = req.routeOptions;
    // No route matched: the not-found handler answers (and reveals nothing).
    if (url === undefined) return done();
    const access = accessOf(String(method), url);
    if (access === undefined) return done(new AppError('forbidden', 403, `no permission is declared for ${req.method} ${url}`));
    if (access === 'public' || access === 'collect') return done();
    authorise(req, access, buckets, opts).then(() => done(), done);
  });
}

async function authorise(req: FastifyRequest, access: Exclude<RouteAccess, 'public' | 'collect'>, buckets: Map<string, TokenBucket>, opts: AccessOptions) {
  const principal = await opts.auth.principalOf(req);
  if (!principal) throw new AppError('unauthenticated', 401, 'sign in, or send an API key as `Authorization: Bearer <key>`');
  req.principal = principal;
  if (principal.session && isUnsafe(req.method) && !sameToken(req.headers[CSRF_HEADER], principal.session.csrfToken))
    throw new AppError('csrf_failed', 403, 'send the session\'s CSRF token (GET /v1/me → csrfToken) in the X-CSRF-Token header');
  throttle(buckets, principal.actor, opts);
  if (access !== 'signed-in' && !principal.permissions.has(access))
    throw new AppError('forbidden', 403, `this action needs the permission ${access}, which the role ${principal.role} does not have`, { permission: access });
}

function throttle(buckets: Map<string, TokenBucket>, actor: string, opts: AccessOptions) {
  const now = opts.clock.now();
  let bucket = buckets.get(actor);
  if (!bucket) buckets.set(actor, (bucket = new TokenBucket(opts.adminRateLimit, now)));
  const wait = bucket.take(now);
  if (wait > 0) throw new AppError('rate_limited', 429, `over ${opts.adminRateLimit} requests a second for this caller`, undefined, { 'retry-after': String(Math.ceil(wait / 1000)) });
}

function sameToken(sent: string | string[] | undefined, expected: string) {
  if (typeof sent !== 'string') return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Fails start-up with every route the permission table lacks (call once all routes are registered). */
export function assertEveryRouteHasPermission(app: FastifyInstance) {
  const missing = routesWithoutPermission(app.routeTable.routes);
  if (missing.length > 0)
    throw new Error(`routes without a permission in src/auth/route-permissions.ts (add each with the permission it needs): ${missing.join(', ')}`);
}

