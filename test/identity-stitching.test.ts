// Cross-channel stitching through the public tracking and profile APIs: one person, two devices, a
// store purchase and a CRM identify end up as one profile with one timeline.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/shared/clock.js';
import { startTestServer, track, type TestServer } from './helpers/server.js';
import { storesUnderTest } from './helpers/stores.js';
import { adminApi } from './helpers/admin-api.js';

const T0 = Date.parse('2026-03-01T10:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

describe.each(storesUnderTest())('identity stitching on %s', (store) => {
  let server: TestServer;
  let web: string;
  let pos: string;
  const clock = new ManualClock(T0 + 86_400_000);

  beforeAll(async () => {
    server = await startTestServer({ store, clock });
    web = (await server.createSource('web')).writeKey;
    pos = (await server.createSource('store POS', { type: 'pos' })).writeKey;
  });
  afterAll(() => server?.close());

  const { get } = adminApi(() => server);
  const send = async (key: string, path: string, body: object) => expect((await track(server.url, key, path, body)).status).toBe(200);

  it('joins two anonymous devices, a signup, a store purchase and an email identify into one profile and timeline', async () => {
    await send(web, '/v1/page', { anonymousId: 'anon-phone', name: 'Home', timestamp: at(0), context: { device: { id: 'dev-phone' } } });
    await send(web, '/v1/track', { anonymousId: 'anon-phone', event: 'Product Viewed', properties: { sku: 'A1' }, timestamp: at(1) });
    await send(web, '/v1/page', { anonymousId: 'anon-laptop', name: 'Pricing', timestamp: at(10) });
    await send(web, '/v1/identify', { userId: 'u-42', anonymousId: 'anon-laptop', traits: { email: ' Ana@Example.com ', name: 'Ana' }, timestamp: at(11) });
    await send(pos, '/v1/track', {
      anonymousId: 'pos-receipt-991',
      event: 'Order Completed',
      properties: { member_id: 'M-7', order_id: 'O-1001', total: 80, phone: '(415) 555-0132' },
      timestamp: at(60),
    });
    await server.meridian.drainPipeline();
    const before = await get('/v1/profiles/email/ana@example.com');
    expect(before.body.identities).not.toContainEqual({ type: 'member_id', value: 'M-7' });

    await send(web, '/v1/identify', { anonymousId: 'anon-phone', traits: { email: 'ANA@example.com', member_id: 'M-7' }, timestamp: at(120) });
    await server.meridian.drainPipeline();

    const { status, body: profile } = await get('/v1/profiles/email/ana@example.com');
    expect(status).toBe(200);
    expect(profile.identities).toEqual(
      expect.arrayContaining([
        { type: 'user_id', value: 'u-42' },
        { type: 'email', value: 'ana@example.com' },
        { type: 'anonymous_id', value: 'anon-phone' },
        { type: 'anonymous_id', value: 'anon-laptop' },
        { type: 'anonymous_id', value: 'pos-receipt-991' },
        { type: 'device_id', value: 'dev-phone' },
        { type: 'member_id', value: 'M-7' },
        { type: 'phone', value: '+14155550132' },
        { type: 'order_id', value: 'O-1001' },
      ]),
    );
    expect(profile.traits.name).toMatchObject({ value: 'Ana', timestamp: at(11) });
    expect(profile.summary).toEqual({ firstSeen: at(0), lastSeen: at(120), eventCount: 6 });

    // A support agent finds the same customer by whatever they have at hand.
    for (const path of ['/v1/profiles/phone/(415)%20555-0132', '/v1/profiles/order_id/O-1001', '/v1/profiles/member_id/M-7', '/v1/profiles/user_id/u-42'])
      expect((await get(path)).body.id).toBe(profile.id);

    const timeline = await get('/v1/profiles/email/ana@example.com/events?limit=4');
    expect(timeline.body.data.map((e: any) => e.timestamp)).toEqual([at(120), at(60), at(11), at(10)]);
    const rest = await get(`/v1/profiles/email/ana@example.com/events?limit=4&cursor=${timeline.body.next}`);
    expect(rest.body.data.map((e: any) => e.event)).toEqual(['Product Viewed', 'Home']);
    expect(rest.body.next).toBeNull();

    const merges = await get('/v1/profiles/email/ana@example.com/merges');
    expect(merges.body.data.length).toBeGreaterThanOrEqual(2);
    expect(merges.body.data.every((m: any) => m.kind === 'merge')).toBe(true);

    const changes = await server.meridian.storage.db.selectFrom('profile_changes').selectAll().where('kind', '=', 'merged').execute();
    expect(changes.map((c) => c.profile_id)).toContain(profile.id);
    const rows = await server.meridian.storage.db.selectFrom('profiles').select('id').execute();
    expect(rows.map((r) => r.id)).toEqual([profile.id]);
  });

  it('finds profiles by identifier or trait prefix', async () => {
    const byEmail = await get('/v1/profiles?q=ana@');
    expect(byEmail.body.data).toHaveLength(1);
    const byName = await get('/v1/profiles?q=an');
    expect(byName.body.data.map((p: any) => p.id)).toContain(byEmail.body.data[0].id);
    expect((await get('/v1/profiles?q=nobody')).body.data).toEqual([]);
  });

  it('answers 404 for an unknown identifier and for an unknown identifier type', async () => {
    expect(await get('/v1/profiles/email/nobody@example.com')).toMatchObject({ status: 404, body: { error: { code: 'profile_not_found' } } });
    expect(await get('/v1/profiles/shoe_size/42')).toMatchObject({ status: 404, body: { error: { code: 'unknown_identifier_type' } } });
  });
});
