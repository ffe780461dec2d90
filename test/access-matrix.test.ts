// Every role × every route, generated from the permission table (src/auth/route-permissions.ts) and
// the routes the server actually registered: a caller whose role grants a route's permission gets
// past the access check (whatever the route then answers), any other caller gets 403 `forbidden`
// naming the permission, and a caller without credentials gets 401. A route registered without a
// table line fails start-up (checked here on a bare app) and this file; a table line for a route
// that no longer exists fails too, so the table stays the whole truth.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { BUILTIN_ROLE_NAMES, BUILTIN_ROLES, ROUTE_PERMISSIONS, accessOf, routesWithoutPermission, type RouteAccess } from '../src/auth/index.js';
import { assertEveryRouteHasPermission } from '../src/auth/access-hook.js';
import { collectRoutes } from '../src/http/route-table.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storesUnderTest } from './helpers/stores.js';

interface Route {
  method: string;
  url: string;
  access: RouteAccess;
}

/** A concrete path for a pattern: each parameter becomes an id nothing has. */
const pathOf = (url: string) => url.replace(/:[A-Za-z]+/g, 'matrix-x').replace('*', 'matrix.js');

async function call(server: TestServer, route: Route, key: string | undefined) {
  const res = await fetch(server.url + pathOf(route.url), {
    method: route.method,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(route.method === 'GET' || route.method === 'HEAD' || route.method === 'DELETE' ? {} : { 'content-type': 'application/json' }) },
    body: route.method === 'GET' || route.method === 'HEAD' || route.method === 'DELETE' ? undefined : '{}',
    signal: AbortSignal.timeout(20_000),
  });
  // Only refusals are read (a live stream that was let through never ends).
  const body = res.status === 401 || res.status === 403 ? ((await res.json()) as { error: { code: string; details?: { permission?: string } } }) : undefined;
  if (!body) await res.body?.cancel();
  return { status: res.status, code: body?.error.code, permission: body?.error.details?.permission };
}

/** A few requests at a time: quicker than one by one, gentle on a shared machine. */
async function inBatches<T, R>(items: T[], fn: (item: T) => Promise<R>, size = 8): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}

describe.each(storesUnderTest())('role × route matrix on %s', (store) => {
  let server: TestServer;
  let routes: Route[];
  const keys: Record<string, string> = {};

  beforeAll(async () => {
    server = await startTestServer({ store, config: { role: 'api' } });
    routes = server.meridian.app.routeTable.routes
      .filter((r) => r.method !== 'HEAD' && r.method !== 'OPTIONS')
      .map((r) => ({ method: r.method, url: r.url, access: accessOf(r.method, r.url)! }));
    for (const role of BUILTIN_ROLE_NAMES) keys[role] = (await server.meridian.apiKeys.create(`matrix ${role}`, role)).key;
    await server.meridian.access.roles.create({ name: 'segment-reader', permissions: ['segments:read'], piiAccess: 'none' });
    keys['segment-reader'] = (await server.meridian.apiKeys.create('matrix custom', 'segment-reader')).key;
  });
  afterAll(() => server?.close());

  it('has a permission for every registered route, and no line for a route that does not exist', () => {
    expect(routesWithoutPermission(server.meridian.app.routeTable.routes)).toEqual([]);
    const registered = new Set(server.meridian.app.routeTable.routes.map((r) => `${r.method} ${r.url}`));
    expect(Object.keys(ROUTE_PERMISSIONS).filter((k) => !registered.has(k))).toEqual([]);
  });

  it('refuses every non-public route without credentials (401 unauthenticated)', async () => {
    const guarded = routes.filter((r) => r.access !== 'public' && r.access !== 'collect');
    const answers = await inBatches(guarded, (route) => call(server, route, undefined));
    guarded.forEach((route, i) => expect({ route: `${route.method} ${route.url}`, ...answers[i] }).toMatchObject({ status: 401, code: 'unauthenticated' }));
  });

  const roles = [...BUILTIN_ROLE_NAMES, 'segment-reader'] as const;
  it.each(roles)('%s: allowed exactly the routes its permissions grant', async (role) => {
    const granted = new Set<string>(role === 'segment-reader' ? ['segments:read'] : BUILTIN_ROLES[role].permissions);
    let allowed = 0;
    const guarded = routes.filter((r) => r.access !== 'public' && r.access !== 'collect');
    const answers = await inBatches(guarded, (route) => call(server, route, keys[role]));
    for (const [i, route] of guarded.entries()) {
      const answer = answers[i];
      const label = `${role} ${route.method} ${route.url} (${route.access})`;
      if (route.access === 'signed-in' || granted.has(route.access)) {
        allowed++;
        expect(answer.status === 401 || (answer.status === 403 && answer.permission !== undefined), `${label} → ${answer.status} ${answer.code}`).toBe(false);
      } else expect({ label, ...answer }).toEqual({ label, status: 403, code: 'forbidden', permission: route.access });
    }
    expect(allowed).toBeGreaterThan(0);
  }, 180_000);
});

describe('a route without a permission line', () => {
  it('stops the server from starting, naming the route', async () => {
    const app = Fastify();
    collectRoutes(app);
    app.get('/v1/segments', async () => ({}));
    app.post('/v1/not-in-the-table', async () => ({}));
    await app.ready();
    expect(() => assertEveryRouteHasPermission(app)).toThrow(/route-permissions\.ts.*POST \/v1\/not-in-the-table/);
    await app.close();
  });
});
