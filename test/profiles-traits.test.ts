// Traits and computed traits through the public APIs: provenance, older-never-overwrites, per-trait
// source precedence, computed traits across merges, backfill, windows evaluated at read time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/shared/clock.js';
import { startTestServer, track, type TestServer } from './helpers/server.js';
import { storesUnderTest } from './helpers/stores.js';
import { adminApi } from './helpers/admin-api.js';

const T0 = Date.parse('2026-06-01T09:00:00Z');
const DAY = 86_400_000;
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

describe.each(storesUnderTest())('profile traits on %s', (store) => {
  let server: TestServer;
  let web: { id: string; writeKey: string };
  let crm: { id: string; writeKey: string };
  const clock = new ManualClock(T0 + DAY);

  beforeAll(async () => {
    server = await startTestServer({ store, clock });
    web = await server.createSource('web');
    crm = await server.createSource('salesforce', { type: 'crm' });
  });
  afterAll(() => server?.close());

  const { get, call } = adminApi(() => server);
  const send = async (writeKey: string, path: string, body: object) => expect((await track(server.url, writeKey, path, body)).status).toBe(200);

  it('keeps the newest value of each trait with its time and source; an older event never overwrites it', async () => {
    await send(web.writeKey, '/v1/identify', { userId: 'lea', traits: { city: 'Lyon' }, timestamp: at(10) });
    await send(web.writeKey, '/v1/identify', { userId: 'lea', traits: { city: 'Paris', plan: 'pro' }, timestamp: at(5) });
    await server.meridian.drainPipeline();
    const { body } = await get('/v1/profiles/user_id/lea');
    expect(body.traits.city).toEqual({ value: 'Lyon', source: web.id, sourceType: 'server', timestamp: at(10) });
    expect(body.traits.plan).toEqual({ value: 'pro', source: web.id, sourceType: 'server', timestamp: at(5) });
  });

  it('lets the configured source win for a trait whatever the time', async () => {
    const rules = (await get('/v1/identity/rules')).body;
    expect((await call('PUT', '/v1/identity/rules', { ...rules, traitPrecedence: { name: ['crm'] } })).status).toBe(200);
    await send(crm.writeKey, '/v1/identify', { userId: 'max', traits: { name: 'Maximilian Beck', tier: 'gold' }, timestamp: at(1) });
    await send(web.writeKey, '/v1/identify', { userId: 'max', traits: { name: 'maxi', tier: 'silver' }, timestamp: at(20) });
    await server.meridian.drainPipeline();
    const { body } = await get('/v1/profiles/user_id/max');
    expect(body.traits.name).toMatchObject({ value: 'Maximilian Beck', source: crm.id, sourceType: 'crm' });
    expect(body.traits.tier).toMatchObject({ value: 'silver', source: web.id });
  });

  it('computes traits over anonymous and known history once they merge, backfilled when declared', async () => {
    const order = (who: object, total: number, category: string, minute: number) =>
      send(web.writeKey, '/v1/track', { ...who, event: 'Order Completed', properties: { total, category }, timestamp: at(minute) });
    await order({ anonymousId: 'guest-1' }, 30, 'shoes', 100);
    await order({ anonymousId: 'guest-1' }, 10, 'hats', 110);
    await order({ userId: 'zoe' }, 60, 'shoes', 120);
    await server.meridian.drainPipeline();

    const defs = [
      { name: 'orders_total', kind: 'count', event: 'Order Completed' },
      { name: 'lifetime_value', kind: 'sum', event: 'Order Completed', property: 'total' },
      { name: 'average_order_value', kind: 'avg', event: 'Order Completed', property: 'total' },
      { name: 'largest_order', kind: 'max', event: 'Order Completed', property: 'total' },
      { name: 'first_order_at', kind: 'first', event: 'Order Completed' },
      { name: 'last_order_at', kind: 'last', event: 'Order Completed' },
      { name: 'favourite_category', kind: 'most_frequent', event: 'Order Completed', property: 'category' },
      { name: 'sessions_30d', kind: 'count', event: 'Session Started', windowDays: 30 },
      { name: 'days_since_last_seen', kind: 'days_since_last' },
    ];
    for (const def of defs) expect((await call('POST', '/v1/computed-traits', def)).status).toBe(201);
    expect((await get('/v1/profiles/anonymous_id/guest-1')).body.computed).toMatchObject({ orders_total: 2, lifetime_value: 40 });

    await send(web.writeKey, '/v1/identify', { userId: 'zoe', anonymousId: 'guest-1', timestamp: at(130) });
    await send(web.writeKey, '/v1/track', { userId: 'zoe', event: 'Session Started', timestamp: at(140) });
    await server.meridian.drainPipeline();
    const zoe = await get('/v1/profiles/user_id/zoe');
    expect(zoe.body.computed).toEqual({
      orders_total: 3,
      lifetime_value: 100,
      average_order_value: expect.closeTo(100 / 3, 6),
      largest_order: 60,
      first_order_at: at(100),
      last_order_at: at(120),
      favourite_category: 'shoes',
      sessions_30d: 1,
      days_since_last_seen: 0,
    });
    const stored = await server.meridian.storage.db.selectFrom('profiles').select('computed').where('id', '=', zoe.body.id).executeTakeFirstOrThrow();
    expect(server.meridian.storage.dialect.parseJson(stored.computed)).toMatchObject({ orders_total: 3, lifetime_value: 100 });

    // Windowed and days-since values decay with time, evaluated when read.
    clock.advance(40 * DAY);
    expect((await get('/v1/profiles/user_id/zoe')).body.computed).toMatchObject({ sessions_30d: 0, days_since_last_seen: 40 });
  });

  it('validates and removes computed traits', async () => {
    expect(await call('POST', '/v1/computed-traits', { name: 'spend', kind: 'sum', event: 'Order Completed' })).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_computed_trait' } },
    });
    expect((await call('POST', '/v1/computed-traits', { name: 'orders_total', kind: 'count' })).status).toBe(409);
    expect((await call('DELETE', '/v1/computed-traits/largest_order')).status).toBe(204);
    expect((await get('/v1/profiles/user_id/zoe')).body.computed).not.toHaveProperty('largest_order');
    expect((await get('/v1/computed-traits')).body.data.map((d: any) => d.name)).not.toContain('largest_order');
    expect((await call('DELETE', '/v1/computed-traits/largest_order')).status).toBe(404);
  });
});
