// The tracking API through HTTP, against every store under test.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/shared/clock.js';
import { startTestServer, track, type TestServer } from './helpers/server.js';
import { storesUnderTest } from './helpers/stores.js';

describe.each(storesUnderTest())('tracking API on %s', (store) => {
  let server: TestServer;
  let key: string;
  let sourceId: string;
  const clock = new ManualClock(Date.parse('2026-03-01T12:00:00Z'));

  beforeAll(async () => {
    server = await startTestServer({ store, clock });
    ({ id: sourceId, writeKey: key } = await server.createSource('web'));
  });
  afterAll(() => server?.close());

  const events = async (query: string) => (await (await server.admin(`/v1/events?${query}`)).json()) as { data: any[]; next: string | null };

  it('stores a track call and returns it through the read API with server fields set', async () => {
    const res = await track(server.url, key, '/v1/track', {
      userId: 'u-1',
      event: 'Order Completed',
      properties: { total: 120 },
      messageId: 'm-track-1',
      context: { library: { name: 'curl' } },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ success: true, accepted: 1, duplicates: 0 });
    const page = await events('userId=u-1');
    expect(page.data).toHaveLength(1);
    expect(page.data[0]).toMatchObject({ sourceId, messageId: 'm-track-1', type: 'track' });
    expect(page.data[0].message).toMatchObject({
      event: 'Order Completed',
      properties: { total: 120 },
      receivedAt: '2026-03-01T12:00:00.000Z',
      timestamp: '2026-03-01T12:00:00.000Z',
      context: { library: { name: 'curl' }, ip: '127.0.0.1' },
    });
  });

  it('acknowledges a repeated messageId but stores it once, and accepts it again after the window', async () => {
    const body = { anonymousId: 'a-dup', event: 'Viewed', messageId: 'm-dup' };
    expect(await (await track(server.url, key, '/v1/track', body)).json()).toMatchObject({ accepted: 1 });
    expect(await (await track(server.url, key, '/v1/track', body)).json()).toMatchObject({ accepted: 0, duplicates: 1 });
    expect((await events('anonymousId=a-dup')).data).toHaveLength(1);
    clock.advance(25 * 3600_000);
    expect(await (await track(server.url, key, '/v1/track', body)).json()).toMatchObject({ accepted: 1 });
    expect((await events('anonymousId=a-dup')).data).toHaveLength(2);
  });

  it('corrects client clock skew from sentAt and keeps the original timestamp', async () => {
    const now = clock.now();
    // The device clock is one hour ahead: it says it sent the call at now+1h, the event happened 10 s before that.
    const res = await track(server.url, key, '/v1/page', {
      anonymousId: 'a-skew',
      name: 'Home',
      timestamp: new Date(now + 3600_000 - 10_000).toISOString(),
      sentAt: new Date(now + 3600_000).toISOString(),
    });
    expect(res.status).toBe(200);
    const [e] = (await events('anonymousId=a-skew')).data;
    expect(e.message.timestamp).toBe(new Date(now - 10_000).toISOString());
    expect(e.message.originalTimestamp).toBe(new Date(now + 3600_000 - 10_000).toISOString());
  });

  it('clamps a timestamp far in the future to the time it was received', async () => {
    await track(server.url, key, '/v1/track', { userId: 'u-future', event: 'X', timestamp: '2030-01-01T00:00:00Z' });
    const [e] = (await events('userId=u-future')).data;
    expect(e.message.timestamp).toBe(new Date(clock.now()).toISOString());
    expect(e.message.originalTimestamp).toBe('2030-01-01T00:00:00.000Z');
  });

  it('keeps the valid events of a batch, reports the invalid ones and keeps them in failed events', async () => {
    const res = await track(server.url, key, '/v1/batch', {
      batch: [
        { type: 'identify', userId: 'u-batch', traits: { email: 'a@example.com' } },
        { type: 'track', event: 'No identity' },
        { type: 'track', userId: 'u-batch', event: 'Signed Up' },
      ],
      context: { app: { name: 'shop' } },
    });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ accepted: 2, rejected: [{ index: 1, code: 'missing_identity' }] });
    const stored = (await events('userId=u-batch')).data;
    expect(stored.map((e) => e.type).sort()).toEqual(['identify', 'track']);
    expect(stored[0].message.context.app).toEqual({ name: 'shop' });
    const failed = (await (await server.admin(`/v1/failed-events?sourceId=${sourceId}`)).json()) as { data: any[] };
    expect(failed.data.some((f) => f.code === 'missing_identity' && f.payload.event === 'No identity')).toBe(true);
  });

  it('rejects a batch whose events are all invalid with 400 and the reason of each', async () => {
    const res = await track(server.url, key, '/v1/batch', { batch: [{ type: 'track' }, { type: 'nope', userId: 'x' }] });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.code).toBe('invalid_batch');
    expect(body.error.details.items.map((i: any) => i.code)).toEqual(['missing_field', 'unknown_type']);
  });

  it('pages the read API newest first with a cursor', async () => {
    for (let i = 0; i < 5; i++) await track(server.url, key, '/v1/track', { userId: 'u-page', event: `E${i}` });
    const first = await events('userId=u-page&limit=2');
    expect(first.data.map((e) => e.message.event)).toEqual(['E4', 'E3']);
    const second = await events(`userId=u-page&limit=2&cursor=${first.next}`);
    expect(second.data.map((e) => e.message.event)).toEqual(['E2', 'E1']);
    const third = await events(`userId=u-page&limit=2&cursor=${second.next}`);
    expect(third.data.map((e) => e.message.event)).toEqual(['E0']);
    expect(third.next).toBeNull();
  });

  it('accepts the write key in the body instead of Basic auth', async () => {
    const res = await fetch(server.url + '/v1/identify', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ writeKey: key, userId: 'u-body-key', traits: { plan: 'pro' } }),
    });
    expect(res.status).toBe(200);
    const [e] = (await events('userId=u-body-key')).data;
    expect(e.message.writeKey).toBeUndefined();
  });

  it('answers 401 for an unknown key, 403 once the source is disabled, and 200 again when re-enabled', async () => {
    expect((await track(server.url, 'wk_unknown', '/v1/track', { userId: 'u', event: 'E' })).status).toBe(401);
    const s = await server.createSource('to disable');
    await server.admin(`/v1/sources/${s.id}`, { method: 'PATCH', body: JSON.stringify({ enabled: false }) });
    const res = await track(server.url, s.writeKey, '/v1/track', { userId: 'u', event: 'E' });
    expect(res.status).toBe(403);
    expect((await res.json()).error.code).toBe('source_disabled');
    await server.admin(`/v1/sources/${s.id}`, { method: 'PATCH', body: JSON.stringify({ enabled: true }) });
    expect((await track(server.url, s.writeKey, '/v1/track', { userId: 'u', event: 'E' })).status).toBe(200);
  });

  it('rotates write keys: a revoked key stops working, the new one works', async () => {
    const s = await server.createSource('rotate');
    const added = await (await server.admin(`/v1/sources/${s.id}/write-keys`, { method: 'POST' })).json();
    const oldKeyId = added.writeKeys[0].id;
    await server.admin(`/v1/sources/${s.id}/write-keys/${oldKeyId}`, { method: 'DELETE' });
    expect((await track(server.url, s.writeKey, '/v1/track', { userId: 'u', event: 'E' })).status).toBe(401);
    expect((await track(server.url, added.writeKey, '/v1/track', { userId: 'u', event: 'E' })).status).toBe(200);
  });

  it('answers 429 with Retry-After when a source exceeds its rate', async () => {
    const s = await server.createSource('limited', { rateLimit: 2 });
    const body = { batch: [1, 2, 3].map((i) => ({ type: 'track', userId: 'u-rate', event: `E${i}` })) };
    expect((await track(server.url, s.writeKey, '/v1/batch', body)).status).toBe(200);
    const limited = await track(server.url, s.writeKey, '/v1/batch', body);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect((await limited.json()).error.code).toBe('rate_limited');
    clock.advance(1000);
    expect((await track(server.url, s.writeKey, '/v1/batch', body)).status).toBe(200);
  });

  it('requires an admin API key for the admin API', async () => {
    expect((await fetch(server.url + '/v1/events')).status).toBe(401);
    const res = await fetch(server.url + '/v1/events', { headers: { authorization: 'Bearer nope' } });
    expect(res.status).toBe(401);
    expect((await res.json()).error.code).toBe('invalid_api_key');
  });
});
