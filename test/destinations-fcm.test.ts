// App push through Firebase Cloud Messaging (HTTP v1), through the public API against a fake FCM
// that verifies the service account's JWT, the bearer token and the message as Google would.
import { generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeFcm, type FakeFcm } from './fakes/fcm.js';
import { eventually } from './helpers/eventually.js';
import { startTestServer, track, type TestServer } from './helpers/server.js';
import { storesUnderTest } from './helpers/stores.js';

const FAST = { baseBackoffMs: 30, maxBackoffMs: 200, breakerThreshold: 50 };
const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const otherKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const CLIENT_EMAIL = 'meridian-push@shop-app.iam.gserviceaccount.com';
const device = (n: number) => `fcm-device-token-${String(n).padStart(4, '0')}:APA91b${'x'.repeat(40)}`;

const serviceAccount = (fcm: FakeFcm, privateKey = keys.privateKey) =>
  JSON.stringify({
    type: 'service_account', project_id: 'shop-app', private_key_id: 'k1', client_email: CLIENT_EMAIL,
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }), token_uri: fcm.tokenUri,
  });

describe.each(storesUnderTest())('FCM app push on %s', (store) => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });
  async function setup(privateKey = keys.privateKey) {
    const server = await startTestServer({ store });
    cleanup.push(() => server.close());
    const fcm = await startFakeFcm({ projectId: 'shop-app', clientEmail: CLIENT_EMAIL, publicKey: keys.publicKey });
    cleanup.push(() => fcm.close());
    const res = await server.admin('/v1/destinations', {
      method: 'POST',
      body: JSON.stringify({
        name: 'App push', kind: 'events', connector: 'fcm',
        config: {
          apiBaseUrl: fcm.url, title: 'Hi {{ profile.name }}', body: 'Your {{ properties.item }} is waiting',
          data: { screen: 'cart', item: '{{ properties.item }}' }, android: { priority: 'high' },
        },
        secrets: { serviceAccount: serviceAccount(fcm, privateKey) }, filter: { events: ['Cart Reminder'] }, delivery: FAST,
      }),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const source = await server.createSource();
    return { server, fcm, destination: (await res.json()) as { id: string }, source };
  }
  const stats = async (server: TestServer, id: string) => (await (await server.admin(`/v1/destinations/${id}/stats`)).json()) as Record<string, number>;
  const tokensOf = async (server: TestServer, userId: string) => {
    const profile = (await (await server.admin(`/v1/profiles/user_id/${userId}`)).json()) as { id: string };
    const page = (await (await server.admin(`/v1/push-tokens?profileId=${profile.id}`)).json()) as { data: { token: string; platform: string | null }[] };
    return page.data;
  };

  it('pushes to every device of the profile with one cached access token, and removes tokens FCM reports dead', async () => {
    const { server, fcm, destination, source } = await setup();
    fcm.registered.add(device(1)).add(device(2)).add(device(3));
    // Two devices from identify traits, one from an app event's context, one unregistered, one malformed.
    await track(server.url, source.writeKey, '/v1/identify', { userId: 'u1', traits: { name: 'Ada', pushTokens: [device(1), device(2)] } });
    await track(server.url, source.writeKey, '/v1/track', { userId: 'u1', event: 'App Opened', context: { device: { token: device(3), type: 'ios' } } });
    await track(server.url, source.writeKey, '/v1/identify', { userId: 'u1', traits: { pushToken: device(9) } });
    await track(server.url, source.writeKey, '/v1/track', { userId: 'u1', event: 'App Opened', context: { device: { token: 'bad token!', type: 'android' } } });
    await server.meridian.drainPipeline();
    expect((await tokensOf(server, 'u1')).map((t) => t.token).sort()).toEqual([device(1), device(2), device(3), device(9), 'bad token!'].sort());

    await track(server.url, source.writeKey, '/v1/track', { userId: 'u1', event: 'Cart Reminder', properties: { item: 'lamp' } });
    await server.meridian.drainPipeline();
    await eventually(async () => expect((await stats(server, destination.id)).delivered).toBe(1), 20_000);
    expect(fcm.delivered.map((m) => m.token).sort()).toEqual([device(1), device(2), device(3)]);
    expect(fcm.delivered[0]).toMatchObject({ notification: { title: 'Hi Ada', body: 'Your lamp is waiting' }, data: { screen: 'cart', item: 'lamp' }, android: { priority: 'high' } });
    expect((await tokensOf(server, 'u1')).map((t) => t.token).sort()).toEqual([device(1), device(2), device(3)]);
    expect((await tokensOf(server, 'u1')).find((t) => t.token === device(3))?.platform).toBe('ios');

    // A second push reuses the cached access token; a revoked one is replaced once.
    await track(server.url, source.writeKey, '/v1/track', { userId: 'u1', event: 'Cart Reminder', properties: { item: 'chair' } });
    await server.meridian.drainPipeline();
    await eventually(async () => expect((await stats(server, destination.id)).delivered).toBe(2), 20_000);
    expect(fcm.grants()).toBe(1);
    fcm.revokeAccessTokens();
    await track(server.url, source.writeKey, '/v1/track', { userId: 'u1', event: 'Cart Reminder', properties: { item: 'desk' } });
    await server.meridian.drainPipeline();
    await eventually(async () => expect((await stats(server, destination.id)).delivered).toBe(3), 20_000);
    expect(fcm.grants()).toBe(2);
    expect(fcm.delivered).toHaveLength(9);
    const tokenRequest = fcm.requests.find((r) => r.path === '/token')!;
    expect(new URLSearchParams(tokenRequest.body).get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
  });

  it('retries a 503 with Retry-After without pushing twice to the devices already reached', async () => {
    const { server, fcm, destination, source } = await setup();
    fcm.registered.add(device(1)).add(device(2));
    await track(server.url, source.writeKey, '/v1/identify', { userId: 'u2', traits: { name: 'Bo', pushTokens: [device(1), device(2)] } });
    await server.meridian.drainPipeline();
    let failures = 0;
    // The second device's send fails twice with 503 + Retry-After; the first device succeeds at once.
    fcm.failWhen((r) => {
      const token = (r.json as { message?: { token?: string } } | undefined)?.message?.token;
      if (token === device(2) && failures < 2) {
        failures++;
        return { status: 503, headers: { 'retry-after': '0' }, body: { error: { code: 503, message: 'The service is currently unavailable.', status: 'UNAVAILABLE' } } };
      }
      return undefined;
    });
    await track(server.url, source.writeKey, '/v1/track', { userId: 'u2', event: 'Cart Reminder', properties: { item: 'lamp' } });
    await server.meridian.drainPipeline();
    await eventually(async () => expect((await stats(server, destination.id)).delivered).toBe(1), 20_000);
    expect(failures).toBe(2);
    expect(fcm.delivered.map((m) => m.token).sort()).toEqual([device(1), device(2)]);
  });

  it('dead-letters pushes whose service account key Google does not accept, saying so', async () => {
    const { server, fcm, destination, source } = await setup(otherKeys.privateKey);
    fcm.registered.add(device(1));
    await track(server.url, source.writeKey, '/v1/track', { userId: 'u3', event: 'Cart Reminder', properties: { item: 'x' }, context: { device: { token: device(1) } } });
    await server.meridian.drainPipeline();
    await eventually(async () => expect((await stats(server, destination.id)).dead).toBe(1), 20_000);
    const dead = (await (await server.admin(`/v1/destinations/${destination.id}/dead-letters`)).json()) as { data: { lastResponse: string; lastStatus: number }[] };
    expect(dead.data[0].lastStatus).toBe(400);
    expect(dead.data[0].lastResponse).toContain('Invalid JWT Signature');
    expect(fcm.delivered).toHaveLength(0);
    const test = await (await server.admin(`/v1/destinations/${destination.id}/test`, { method: 'POST' })).json();
    expect(JSON.stringify(test)).toContain('invalid_grant');
  });

  it("delivers a journey push step to the profile's devices with the journey's rendered title and body", async () => {
    const { server, fcm, destination, source } = await setup();
    fcm.registered.add(device(5));
    const created = await server.admin('/v1/journeys', {
      method: 'POST',
      body: JSON.stringify({
        name: 'App welcome',
        definition: {
          version: 1,
          trigger: { type: 'event', event: 'App Installed' },
          steps: [
            { id: 'push', type: 'send', channel: 'push', destinationId: destination.id, message: { title: 'Welcome {{ profile.name }}', body: 'Glad you are here' }, next: 'done' },
            { id: 'done', type: 'exit' },
          ],
        },
      }),
    });
    expect(created.status, await created.clone().text()).toBe(201);
    const journey = (await created.json()) as { id: string };
    expect((await server.admin(`/v1/journeys/${journey.id}/activate`, { method: 'POST' })).status).toBe(200);
    await track(server.url, source.writeKey, '/v1/identify', { userId: 'u5', traits: { name: 'Cy', pushTokens: [device(5)] } });
    await server.meridian.drainPipeline();
    await track(server.url, source.writeKey, '/v1/track', { userId: 'u5', event: 'App Installed', context: { device: { token: device(5), type: 'android' } } });
    await server.meridian.drainPipeline();
    await eventually(() => expect(fcm.delivered.map((m) => m.token)).toEqual([device(5)]), 30_000);
    expect(fcm.delivered[0].notification).toEqual({ title: 'Welcome Cy', body: 'Glad you are here' });
  });
});
