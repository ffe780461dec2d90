// Destinations through the public API against fake platforms that validate requests like the real
// services: audience sync to Meta and Google Ads from segment membership changes, event forwarding
// to a signed webhook through an outage, dead letters and replay, consent.
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeGoogleAds, type FakeGoogleAds } from './fakes/google-ads.js';
import { startFakeMeta, type FakeMeta } from './fakes/meta.js';
import { startFakeWebhook } from './fakes/webhook.js';
import type { FakeServer } from './fakes/fake-server.js';
import { eventually } from './helpers/eventually.js';
import { startTestServer, track, type TestServer } from './helpers/server.js';
import { storesUnderTest } from './helpers/stores.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const FAST = { baseBackoffMs: 30, maxBackoffMs: 300, breakerThreshold: 3, breakerOpenMs: 100 };

/** Writes profiles and membership changes the way the segments stage does (same lock, same feed). */
async function seedProfiles(server: TestServer, profiles: Record<string, Record<string, unknown>>) {
  const now = Date.now();
  await server.meridian.storage.db
    .insertInto('profiles')
    .values(Object.entries(profiles).map(([id, traits]) => ({ id, traits: JSON.stringify(traits), computed: '{}', created_at: now, updated_at: now })))
    .execute();
}
async function membership(server: TestServer, changes: [segment: string, profile: string, kind: 'entered' | 'exited'][]) {
  const { db, dialect } = server.meridian.storage;
  await db.transaction().execute(async (trx) => {
    await dialect.lockName(trx, 'feed:membership_changes');
    await trx
      .insertInto('membership_changes')
      .values(changes.map(([segment_id, profile_id, kind]) => ({ segment_id, profile_id, kind, at: Date.now(), trigger_seq: null })))
      .execute();
  });
  await server.meridian.drainPipeline();
}

async function createDestination(server: TestServer, body: Record<string, unknown>) {
  const res = await server.admin('/v1/destinations', { method: 'POST', body: JSON.stringify(body) });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as { id: string; secretsSet: string[] };
}

describe.each(storesUnderTest())('destinations on %s', (store) => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });
  async function setup() {
    const server = await startTestServer({ store });
    cleanup.push(() => server.close());
    return server;
  }
  async function fakes() {
    const meta: FakeMeta = await startFakeMeta({ token: 'meta-token', audiences: ['2385', '2386'] });
    const google: FakeGoogleAds = await startFakeGoogleAds({ token: 'g-token', developerToken: 'dev-token', customerId: '1234567890', userLists: ['555'] });
    cleanup.push(() => meta.close(), () => google.close());
    return { meta, google };
  }

  it('keeps Meta and Google audiences in step with a segment: entered → hashed add, exited → remove', async () => {
    const server = await setup();
    const { meta, google } = await fakes();
    await seedProfiles(server, {
      p1: { email: ' John_Smith@Gmail.com', phone: '(650) 555-1212', country: 'US', first_name: 'John', zip: '94043-1351' },
      p2: { email: 'jane.doe@gmail.com' },
    });
    const m = await createDestination(server, {
      name: 'Meta VIPs', kind: 'audience', connector: 'meta', category: 'advertising',
      config: { apiBaseUrl: meta.url, apiVersion: 'v21.0' }, secrets: { accessToken: 'meta-token' }, segments: { seg_vip: '2385' }, delivery: FAST,
    });
    expect(m.secretsSet).toEqual(['accessToken']);
    await createDestination(server, {
      name: 'Google VIPs', kind: 'audience', connector: 'google_ads',
      config: { apiBaseUrl: google.url, customerId: '123-456-7890', loginCustomerId: '999' }, secrets: { accessToken: 'g-token', developerToken: 'dev-token' },
      segments: { seg_vip: '555' }, delivery: FAST,
    });
    const test = await server.admin(`/v1/destinations/${m.id}/test`, { method: 'POST' });
    expect(await test.json()).toMatchObject({ ok: true, status: 200 });

    await membership(server, [['seg_vip', 'p1', 'entered'], ['seg_vip', 'p2', 'entered'], ['seg_other', 'p2', 'entered']]);

    await eventually(() => expect([...meta.audiences.get('2385')!.keys()].sort()).toEqual(['p1', 'p2']));
    const row = meta.audiences.get('2385')!.get('p1')!;
    expect(row.EMAIL).toBe(sha('john_smith@gmail.com'));
    expect(row.PHONE).toBe(sha('16505551212'));
    expect(row.FN).toBe(sha('john'));
    expect(row.ZIP).toBe(sha('94043'));
    expect(row.COUNTRY).toBe(sha('us'));
    const adds = meta.accepted.filter((r) => r.method === 'POST');
    expect(adds).toHaveLength(1); // both profiles in one batch
    expect(adds[0].headers.authorization).toBe('Bearer meta-token');

    const list = () => google.lists.get('customers/1234567890/userLists/555')!;
    await eventually(() =>
      expect([...list()].sort()).toEqual([sha('john_smith@gmail.com'), sha('+16505551212'), sha('janedoe@gmail.com')].sort()),
    );
    expect(google.accepted.map((r) => r.path.replace(/\d+:/, 'N:'))).toEqual([
      '/v19/customers/1234567890/offlineUserDataJobs:create',
      '/v19/customers/1234567890/offlineUserDataJobs/N:addOperations',
      '/v19/customers/1234567890/offlineUserDataJobs/N:run',
    ]);
    expect(google.accepted[0].headers['login-customer-id']).toBe('999');

    await membership(server, [['seg_vip', 'p1', 'exited']]);
    await eventually(() => expect([...meta.audiences.get('2385')!.keys()]).toEqual(['p2']));
    const remove = meta.accepted.find((r) => r.method === 'DELETE')!;
    expect((remove.json as { payload: { data: string[][] } }).payload.data[0][0]).toBe(sha('john_smith@gmail.com'));
    await eventually(() => expect([...list()]).toEqual([sha('janedoe@gmail.com')]));

    await eventually(async () => expect(await (await server.admin(`/v1/destinations/${m.id}/stats`)).json()).toMatchObject({ delivered: 3, dead: 0, queued: 0, circuit: 'closed' }));
  });

  it('end to end: identify → segment entered → Meta add with hashed identifiers → trait change → exited → remove', async () => {
    const server = await setup();
    const { meta } = await fakes();
    const seg = await server.admin('/v1/segments', {
      method: 'POST',
      body: JSON.stringify({ name: 'VIP', rule: { version: 1, root: { type: 'trait', path: 'plan', op: 'equals', value: 'vip' } } }),
    });
    expect(seg.status, await seg.clone().text()).toBe(201);
    const segmentId = ((await seg.json()) as { id: string }).id;
    const d = await createDestination(server, {
      name: 'Meta VIPs', kind: 'audience', connector: 'meta', category: 'advertising', config: { apiBaseUrl: meta.url }, secrets: { accessToken: 'meta-token' },
      segments: { [segmentId]: '2385' }, delivery: FAST,
    });
    const source = await server.createSource();
    // Bob is a VIP too, but his consent denies advertising: he is never sent to the ad platform.
    await track(server.url, source.writeKey, '/v1/identify', {
      userId: 'bob', traits: { email: 'bob@example.com', plan: 'vip' }, context: { consent: { categoryPreferences: { advertising: false } } },
    });
    const identify = (plan: string) => track(server.url, source.writeKey, '/v1/identify', { userId: 'ann', traits: { email: 'Ann.Lee@Example.com ', phone: '+33 6 12 34 56 78', plan } });
    expect((await identify('vip')).status).toBe(200);
    await server.meridian.drainPipeline();
    await eventually(() => expect(meta.audiences.get('2385')!.size).toBe(1));
    const [row] = meta.audiences.get('2385')!.values();
    expect(row.EMAIL).toBe(sha('ann.lee@example.com'));
    expect(row.PHONE).toBe(sha('33612345678'));
    await eventually(async () => {
      const skipped = (await (await server.admin(`/v1/destinations/${d.id}/deliveries?status=skipped`)).json()) as { data: { lastError: string }[] };
      expect(skipped.data.map((x) => x.lastError)).toEqual(['consent for advertising is denied']);
    });

    expect((await identify('free')).status).toBe(200);
    await server.meridian.drainPipeline();
    await eventually(() => expect(meta.audiences.get('2385')!.size).toBe(0));
    expect(meta.accepted.map((r) => r.method)).toEqual(['POST', 'DELETE']);
  });

  it('sends a terminal 400 to the dead letters and delivers it after the config is fixed and it is replayed', async () => {
    const server = await setup();
    const { meta } = await fakes();
    await seedProfiles(server, { p1: { email: 'a@example.com' } });
    const d = await createDestination(server, {
      name: 'Meta', kind: 'audience', connector: 'meta', config: { apiBaseUrl: meta.url }, secrets: { accessToken: 'meta-token' },
      segments: { seg: '999' }, delivery: FAST,
    });
    await membership(server, [['seg', 'p1', 'entered']]);
    const dead = await eventually(async () => {
      const page = (await (await server.admin(`/v1/destinations/${d.id}/dead-letters`)).json()) as { data: { id: number; lastStatus: number; lastResponse: string; attempts: number }[] };
      expect(page.data).toHaveLength(1);
      return page.data[0];
    });
    expect(dead).toMatchObject({ lastStatus: 400, attempts: 1 });
    expect(dead.lastResponse).toContain('does not exist');

    const fix = await server.admin(`/v1/destinations/${d.id}`, { method: 'PATCH', body: JSON.stringify({ segments: { seg: '2386' } }) });
    expect(fix.status).toBe(200);
    const replay = await server.admin(`/v1/destinations/${d.id}/dead-letters/replay`, { method: 'POST', body: JSON.stringify({ ids: [dead.id] }) });
    expect(await replay.json()).toEqual({ replayed: 1 });
    await eventually(() => expect([...meta.audiences.get('2386')!.keys()]).toEqual(['p1']));
    await eventually(async () => {
      const after = (await (await server.admin(`/v1/destinations/${d.id}/deliveries?status=delivered`)).json()) as { data: unknown[] };
      expect(after.data).toHaveLength(1);
    });
  });

  it('delivers every event after a 503 outage and 429 rate limiting, in order per person, honouring Retry-After', async () => {
    const server = await setup();
    const secret = 'whsec_0123456789abcdef';
    const hook = await startFakeWebhook(secret);
    cleanup.push(() => hook.close());
    let start: number | undefined; // the outage starts with the first request
    let first429: number | undefined;
    hook.failWhen(() => {
      start ??= Date.now();
      const t = Date.now() - start;
      if (t < 700) return { status: 503, body: { error: 'down' } };
      if (t < 1800) {
        first429 ??= Date.now();
        return { status: 429, body: { error: 'slow down' }, headers: { 'retry-after': '1' } };
      }
      return undefined;
    });
    const d = await createDestination(server, {
      name: 'Hook', kind: 'events', connector: 'webhook', config: { url: hook.url + '/in', headers: { 'x-team': 'growth' } }, secrets: { signingSecret: secret },
      filter: { events: ['Order Completed'] }, mapping: { user: 'userId', n: 'properties.n', name: 'event' }, delivery: { ...FAST, maxAttempts: 100 },
    });
    const source = await server.createSource();
    const users = ['u1', 'u2', 'u3', 'u4', 'u5'];
    for (let n = 0; n < 12; n++) {
      const batch = users.map((u) => ({ type: 'track', userId: u, event: 'Order Completed', properties: { n } }));
      batch.push({ type: 'track', userId: 'u1', event: 'Page Viewed', properties: { n } });
      expect((await track(server.url, source.writeKey, '/v1/batch', { batch })).status).toBe(200);
    }
    await server.meridian.drainPipeline();
    await eventually(() => expect(hook.accepted).toHaveLength(60), 30_000);

    const byUser = new Map<string, number[]>();
    for (const r of hook.accepted) {
      const body = r.json as { user: string; n: number; name: string };
      expect(body.name).toBe('Order Completed');
      byUser.set(body.user, [...(byUser.get(body.user) ?? []), body.n]);
      expect(r.headers['x-team']).toBe('growth');
    }
    for (const u of users) expect(byUser.get(u)).toEqual([...Array(12).keys()]);
    const keys = hook.accepted.map((r) => r.headers['idempotency-key']);
    expect(new Set(keys).size).toBe(60);
    expect(hook.requests.filter((r) => r.at - start! < 700).length).toBeGreaterThan(1);
    // After the first 429, nothing but requests already on their way arrives before Retry-After (1 s) elapsed.
    expect(hook.requests.filter((r) => r.at > first429! + 100 && r.at < first429! + 950)).toHaveLength(0);
    await eventually(async () => expect(await (await server.admin(`/v1/destinations/${d.id}/stats`)).json()).toMatchObject({ delivered: 60, dead: 0, retrying: 0 }));
  });

  it('signs webhooks verifiably, keeps secrets encrypted and never returns them', async () => {
    const server = await setup();
    const secret = 'whsec_fedcba9876543210';
    const hook = await startFakeWebhook(secret);
    cleanup.push(() => hook.close());
    const d = await createDestination(server, { name: 'Hook', kind: 'events', connector: 'webhook', config: { url: hook.url }, secrets: { signingSecret: secret } });
    const got = await (await server.admin(`/v1/destinations/${d.id}`)).text();
    expect(got).not.toContain(secret);
    expect(JSON.parse(got).secretsSet).toEqual(['signingSecret']);
    const stored = await server.meridian.storage.db.selectFrom('destinations').select('secrets').executeTakeFirstOrThrow();
    expect(stored.secrets).not.toContain(secret);

    const source = await server.createSource();
    await track(server.url, source.writeKey, '/v1/track', { userId: 'u1', event: 'Signed Up' });
    await server.meridian.drainPipeline();
    await eventually(() => expect(hook.accepted).toHaveLength(1)); // the fake rejects bad signatures with 401
    expect((hook.accepted[0].json as { event: string }).event).toBe('Signed Up');

    const wrong = await createDestination(server, { name: 'Wrong key', kind: 'events', connector: 'webhook', config: { url: hook.url }, secrets: { signingSecret: 'not-the-receivers-secret' } });
    await track(server.url, source.writeKey, '/v1/track', { userId: 'u1', event: 'Signed Up' });
    await server.meridian.drainPipeline();
    await eventually(async () => {
      const page = (await (await server.admin(`/v1/destinations/${wrong.id}/dead-letters`)).json()) as { data: { lastStatus: number }[] };
      expect(page.data.map((x) => x.lastStatus)).toEqual([401]);
    });
  });

  it('does not send events whose consent denies the destination category', async () => {
    const server = await setup();
    const hook = await startFakeWebhook('whsec_consent_0123456');
    cleanup.push(() => hook.close());
    await createDestination(server, { name: 'Ads', kind: 'events', connector: 'webhook', category: 'advertising', config: { url: hook.url + '/ads' }, secrets: { signingSecret: 'whsec_consent_0123456' } });
    await createDestination(server, { name: 'All', kind: 'events', connector: 'webhook', config: { url: hook.url + '/all' }, secrets: { signingSecret: 'whsec_consent_0123456' } });
    const source = await server.createSource();
    const consent = (advertising: boolean) => ({ consent: { categoryPreferences: { advertising, analytics: true } } });
    await track(server.url, source.writeKey, '/v1/batch', {
      batch: [
        { type: 'track', userId: 'a', event: 'Denied', context: consent(false) },
        { type: 'track', userId: 'b', event: 'Allowed', context: consent(true) },
        { type: 'track', userId: 'c', event: 'Unstated' },
      ],
    });
    await server.meridian.drainPipeline();
    await eventually(() => expect(hook.accepted).toHaveLength(5));
    const to = (path: string) => hook.accepted.filter((r) => r.path === path).map((r) => (r.json as { event: string }).event).sort();
    expect(to('/ads')).toEqual(['Allowed', 'Unstated']);
    expect(to('/all')).toEqual(['Allowed', 'Denied', 'Unstated']);
  });

  it('pauses and resumes a destination, and rejects invalid settings with a clear error', async () => {
    const server = await setup();
    const hook = await startFakeWebhook('whsec_pause_0123456789');
    cleanup.push(() => hook.close());
    const bad = await server.admin('/v1/destinations', { method: 'POST', body: JSON.stringify({ name: 'x', kind: 'events', connector: 'meta' }) });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.code).toBe('unsupported_kind');
    const badUrl = await server.admin('/v1/destinations', { method: 'POST', body: JSON.stringify({ name: 'x', kind: 'events', connector: 'webhook', config: { url: 'ftp://x' } }) });
    expect((await badUrl.json()).error).toMatchObject({ code: 'invalid_field', details: { field: 'config.url' } });

    const d = await createDestination(server, { name: 'Hook', kind: 'events', connector: 'webhook', config: { url: hook.url }, secrets: { signingSecret: 'whsec_pause_0123456789' } });
    expect((await (await server.admin(`/v1/destinations/${d.id}/pause`, { method: 'POST' })).json()).status).toBe('paused');
    const source = await server.createSource();
    await track(server.url, source.writeKey, '/v1/track', { userId: 'u', event: 'While Paused' });
    await server.meridian.drainPipeline();
    await new Promise((r) => setTimeout(r, 300));
    expect(hook.requests).toHaveLength(0);
    const queued = (await (await server.admin(`/v1/destinations/${d.id}/stats`)).json()) as { queued: number };
    expect(queued.queued).toBe(1);
    await server.admin(`/v1/destinations/${d.id}/resume`, { method: 'POST' });
    await eventually(() => expect(hook.accepted).toHaveLength(1));
    expect((await server.admin(`/v1/destinations/${d.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await server.admin(`/v1/destinations/${d.id}`)).status).toBe(404);
  });
});
