// The server side of the console: GET /v1/me (sign-in check), timeline entries traceable to their raw
// event, and the built console served at `/` with SPA fallback while API paths keep the JSON 404.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { serveConsole } from '../src/http/console.js';
import { installErrorHandler } from '../src/http/errors.js';
import { startTestServer, track, type TestServer } from './helpers/server.js';
import { adminApi } from './helpers/admin-api.js';
import { storesUnderTest } from './helpers/stores.js';

describe.each(storesUnderTest())('console API on %s', (store) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ store });
  });
  afterAll(() => server?.close());
  const { get } = adminApi(() => server);

  it('GET /v1/me answers the role of the key, 401 for an unknown key', async () => {
    expect((await get('/v1/me')).body).toMatchObject({ kind: 'api_key', role: 'admin', id: 'env', piiAccess: 'full' });
    const support = await server.meridian.apiKeys.create('agent', 'support');
    const res = await fetch(server.url + '/v1/me', { headers: { authorization: `Bearer ${support.key}` } });
    expect(await res.json()).toMatchObject({ kind: 'api_key', role: 'support', id: support.id, label: 'agent', piiAccess: 'masked' });
    const bad = await fetch(server.url + '/v1/me', { headers: { authorization: 'Bearer nope' } });
    expect(bad.status).toBe(401);
    expect(((await bad.json()) as any).error.code).toBe('invalid_api_key');
    expect(Object.keys(((await get('/openapi.json')).body as any).paths)).toContain('/v1/me');
  });

  it('timeline entries carry the messageId and source of their raw event', async () => {
    const src = await server.createSource('web');
    expect((await track(server.url, src.writeKey, '/v1/track', { userId: 'tl-1', event: 'Order Completed', messageId: 'm-tl-1' })).status).toBe(200);
    await server.meridian.drainPipeline();
    const { body } = await get('/v1/profiles/user_id/tl-1/events');
    expect(body.data).toEqual([expect.objectContaining({ event: 'Order Completed', messageId: 'm-tl-1', sourceId: src.id })]);
  });

  it('filters the timeline by type and event', async () => {
    const src = await server.createSource('shop');
    for (const body of [
      { userId: 'tl-2', event: 'Order Completed' },
      { userId: 'tl-2', event: 'Product Viewed' },
    ])
      expect((await track(server.url, src.writeKey, '/v1/track', body)).status).toBe(200);
    expect((await track(server.url, src.writeKey, '/v1/page', { userId: 'tl-2', name: 'Home' })).status).toBe(200);
    await server.meridian.drainPipeline();
    const names = async (q: string) => (await get(`/v1/profiles/user_id/tl-2/events?${q}`)).body.data.map((e: { event: string }) => e.event);
    expect((await names('')).sort()).toEqual(['Home', 'Order Completed', 'Product Viewed']);
    expect(await names('type=page')).toEqual(['Home']);
    expect(await names('event=Order%20Completed')).toEqual(['Order Completed']);
  });

  it('GET /v1/overview counts what exists and the events received per day', async () => {
    const { body } = await get('/v1/overview');
    expect(body.counts).toMatchObject({ sources: 2, profiles: 2, segments: 0, destinations: 0 });
    expect(body.eventsPerDay).toHaveLength(14);
    expect(body.eventsPerDay.at(-1)).toEqual({ day: new Date().toISOString().slice(0, 10), events: 4 });
    expect(body.eventsPerDay.slice(0, -1).every((d: { events: number }) => d.events === 0)).toBe(true);
    expect(body.rfm).toMatchObject({ grid: [], segments: [] });
  });

  it('filters the timeline by source and period, pages the filtered entries, and refuses a period that ends before it starts', async () => {
    const web = await server.createSource('web');
    const store = await server.createSource('pos');
    const sent = [
      [web, 'Order Completed', '2026-01-10T09:00:00.000Z'],
      [store, 'Product Viewed', '2026-02-10T00:00:00.000Z'],
      [web, 'Coupon Used', '2026-03-10T09:00:00.000Z'],
    ] as const;
    for (const [src, event, timestamp] of sent) expect((await track(server.url, src.writeKey, '/v1/track', { userId: 'tl-3', event, timestamp })).status).toBe(200);
    await server.meridian.drainPipeline();
    const names = async (q: string) => (await get(`/v1/profiles/user_id/tl-3/events?${q}`)).body.data.map((e: { event: string }) => e.event);
    expect(await names(`sourceId=${store.id}`)).toEqual(['Product Viewed']);
    expect(await names(`sourceId=${web.id}`)).toEqual(['Coupon Used', 'Order Completed']);
    expect(await names('from=2026-02-01T00:00:00Z&to=2026-03-01T00:00:00Z')).toEqual(['Product Viewed']);
    expect(await names('from=2026-02-10T00:00:00Z')).toEqual(['Coupon Used', 'Product Viewed']);
    // `to` is exclusive: the entry at exactly that instant belongs to the next period.
    expect(await names('to=2026-02-10T00:00:00Z')).toEqual(['Order Completed']);
    expect(await names(`sourceId=${web.id}&from=2026-03-01T00:00:00Z`)).toEqual(['Coupon Used']);
    const first = (await get(`/v1/profiles/user_id/tl-3/events?sourceId=${web.id}&limit=1`)).body;
    expect(first.data.map((e: { event: string }) => e.event)).toEqual(['Coupon Used']);
    const second = (await get(`/v1/profiles/user_id/tl-3/events?sourceId=${web.id}&limit=1&cursor=${first.next}`)).body;
    expect(second).toMatchObject({ data: [expect.objectContaining({ event: 'Order Completed', sourceId: web.id })], next: null });
    const backwards = await get('/v1/profiles/user_id/tl-3/events?from=2026-03-01T00:00:00Z&to=2026-02-01T00:00:00Z');
    expect(backwards.status).toBe(400);
    expect(backwards.body.error).toMatchObject({ code: 'invalid_query', details: { field: 'to' } });
    expect(backwards.body.error.message).toMatch(/from .* must be before to/);
    const notADate = await get('/v1/profiles/user_id/tl-3/events?from=yesterday');
    expect(notADate.status).toBe(400);
    expect(notADate.body.error.message).toMatch(/from/);
    const documented = ((await get('/openapi.json')).body as any).paths['/v1/profiles/{idType}/{idValue}/events'].get.parameters.map((p: { name: string }) => p.name);
    expect(documented).toEqual(expect.arrayContaining(['type', 'event', 'sourceId', 'from', 'to', 'cursor']));
  });
});

describe('console serving', () => {
  let app: FastifyInstance;
  let dir: string;
  beforeAll(async () => {
    // The built console of this checkout may be absent: serve a small fixed one, with the server's error handler.
    dir = mkdtempSync(join(tmpdir(), 'console-dist-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><div id="root"></div>');
    writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
    app = Fastify();
    installErrorHandler(app);
    await serveConsole(app, { dir });
  });
  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const html = { accept: 'text/html,application/xhtml+xml' };
  const get = (url: string, headers: Record<string, string> = html) => app.inject({ method: 'GET', url, headers });

  it('serves index.html uncached at / and for console routes; hashed assets cached for good', async () => {
    const index = await get('/');
    expect(index.statusCode).toBe(200);
    expect(index.headers['cache-control']).toBe('no-cache');
    expect(index.body).toContain('id="root"');
    const deep = await get('/customers/abc');
    expect(deep.statusCode).toBe(200);
    expect(deep.body).toContain('id="root"');
    const asset = await get('/assets/index-abc123.js', {});
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await get('/assets/missing.js')).statusCode).toBe(404);
    // A path out of the console folder never reaches a file there (at most the console's index).
    for (const escape of ['/../package.json', '/%2e%2e/%2e%2e/package.json', '/assets/..%2f..%2fpackage.json'])
      expect((await get(escape)).body).not.toContain('"name"');
  });

  it('keeps the JSON 404 envelope for API paths, even when the client asks for HTML', async () => {
    for (const path of ['/v1/nope', '/v1/sources/x/nope', '/openapi.json']) {
      const res = await get(path);
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('not_found');
    }
  });

  it('says how to build the console when it is not built', async () => {
    rmSync(join(dir, 'index.html'));
    const res = await get('/');
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('npm run build');
  });
});
