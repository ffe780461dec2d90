// Consent through the public API: the workspace's categories (CRUD with clear errors), a profile's
// consent from events (Segment's context.consent.categoryPreferences) and from the API with its
// history, and enforcement: a destination of a category a person refused receives nothing of theirs,
// also when the refusal came through the API after the event was queued (checked at send time).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, track, type TestServer } from './helpers/server.js';
import { storesUnderTest } from './helpers/stores.js';
import { adminApi } from './helpers/admin-api.js';
import { eventually } from './helpers/eventually.js';
import { startFakeWebhook } from './fakes/webhook.js';
import type { FakeServer } from './fakes/fake-server.js';

const SECRET = 'whsec_consent_0123456789';

describe.each(storesUnderTest())('consent on %s', (store) => {
  let server: TestServer;
  let hook: FakeServer;
  let source: { id: string; writeKey: string };
  const { call, get } = adminApi(() => server);
  const send = async (body: object) => expect((await track(server.url, source.writeKey, '/v1/track', body)).status).toBe(200);

  beforeAll(async () => {
    server = await startTestServer({ store });
    hook = await startFakeWebhook(SECRET);
    source = await server.createSource('web');
  });
  afterAll(async () => {
    await server?.close();
    await hook?.close();
  });

  it('manages the categories of the workspace with clear errors', async () => {
    const list = await get('/v1/consent/categories');
    expect(list.body.data.map((c: { id: string }) => c.id)).toEqual(['advertising', 'analytics', 'marketing', 'necessary']);
    expect(list.body.data.find((c: { id: string }) => c.id === 'necessary').required).toBe(true);

    const created = await call('POST', '/v1/consent/categories', { id: 'personalization', name: 'Personalization' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: 'personalization', required: false, inUse: [] });
    const twice = await call('POST', '/v1/consent/categories', { id: 'Personalization', name: 'again' });
    expect(twice.status).toBe(409);
    expect(twice.body.error).toMatchObject({ code: 'consent_category_exists', details: { id: 'personalization' } });
    expect((await call('PATCH', '/v1/consent/categories/personalization', { description: 'recommendations' })).body.description).toBe('recommendations');
    expect((await get('/v1/consent/categories/nope')).body.error.code).toBe('consent_category_not_found');
    expect((await call('PATCH', '/v1/consent/categories/nope', { name: 'x' })).status).toBe(404);

    const d = await call('POST', '/v1/destinations', { name: 'Ads hook', kind: 'events', connector: 'webhook', category: 'advertising', config: { url: hook.url }, secrets: { signingSecret: SECRET } });
    expect(d.status).toBe(201);
    const inUse = await call('DELETE', '/v1/consent/categories/advertising');
    expect(inUse.status).toBe(409);
    expect(inUse.body.error).toMatchObject({ code: 'consent_category_in_use', details: { destinations: [d.body.id] } });
    expect((await call('DELETE', `/v1/destinations/${d.body.id}`)).status).toBe(204);
    expect((await call('DELETE', '/v1/consent/categories/personalization')).status).toBe(204);
    expect((await call('DELETE', '/v1/consent/categories/personalization')).status).toBe(404);
  });

  it('keeps each profile’s consent from events and the API, with history, and refuses bad statements', async () => {
    await send({ userId: 'mia', event: 'Page Viewed', timestamp: '2026-01-01T10:00:00Z', context: { consent: { categoryPreferences: { Advertising: false, Analytics: true } } } });
    await server.meridian.drainPipeline();
    const state = await get('/v1/profiles/user_id/mia/consent');
    expect(state.status).toBe(200);
    const byId = Object.fromEntries(state.body.categories.map((c: { id: string; granted: boolean | null }) => [c.id, c.granted]));
    expect(byId).toEqual({ advertising: false, analytics: true, marketing: null, necessary: true });

    const put = await call('PUT', '/v1/profiles/user_id/mia/consent', { preferences: { advertising: true } });
    expect(put.status).toBe(200);
    expect(put.body.preferences).toMatchObject({ advertising: true, analytics: true });
    const history = await get('/v1/profiles/user_id/mia/consent/history?limit=1');
    expect(history.body.data).toEqual([expect.objectContaining({ source: 'api', preferences: { advertising: true }, actor: 'key:env' })]);
    const older = await get(`/v1/profiles/user_id/mia/consent/history?limit=1&cursor=${history.body.next}`);
    expect(older.body.data[0]).toMatchObject({ source: 'event', preferences: { advertising: false, analytics: true } });
    expect(older.body.next).toBeNull();

    expect((await call('PUT', '/v1/profiles/user_id/mia/consent', { preferences: { necessary: false } })).body.error.code).toBe('consent_category_required');
    expect((await call('PUT', '/v1/profiles/user_id/mia/consent', { preferences: { horoscopes: true } })).body.error.code).toBe('consent_category_not_found');
    expect((await call('PUT', '/v1/profiles/user_id/nobody/consent', { preferences: { analytics: true } })).body.error.code).toBe('profile_not_found');
  });

  it('sends nothing of a person to a destination of a category they refused, by event or through the API', async () => {
    const d = await call('POST', '/v1/destinations', {
      name: 'Marketing hook', kind: 'events', connector: 'webhook', category: 'marketing', config: { url: hook.url }, secrets: { signingSecret: SECRET }, filter: { events: ['Promo Seen'] },
    });
    expect(d.status).toBe(201);
    // Refused in the event itself: never queued.
    await send({ userId: 'noah', event: 'Promo Seen', properties: { n: 1 }, context: { consent: { categoryPreferences: { Marketing: false } } } });
    // Nothing stated: delivered.
    await send({ userId: 'lena', event: 'Promo Seen', properties: { n: 2 } });
    await server.meridian.drainPipeline();
    await eventually(() => expect(hook.accepted.map((r) => (r.json as { properties: { n: number } }).properties.n)).toEqual([2]), 30_000);

    // Lena refuses marketing through the API (a CMP's server-side sync): her next events are not sent,
    // although they carry no consent object — the profile's current consent is checked at send time.
    expect((await call('PUT', '/v1/profiles/user_id/lena/consent', { preferences: { marketing: false } })).status).toBe(200);
    await send({ userId: 'lena', event: 'Promo Seen', properties: { n: 3 } });
    await server.meridian.drainPipeline();
    await eventually(async () => {
      const deliveries = await get(`/v1/destinations/${d.body.id}/deliveries?limit=50`);
      expect(deliveries.status).toBe(200);
      const statuses = deliveries.body.data.map((x: { status: string }) => x.status).sort();
      expect(statuses).toEqual(['delivered', 'skipped']);
    }, 30_000);
    expect(hook.accepted).toHaveLength(1);
  });
});
