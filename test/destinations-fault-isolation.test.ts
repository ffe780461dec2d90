// One destination that cannot be used (its secret was sealed under another key, as when processes
// on one PostgreSQL store each generated their own) no longer stops every destination: it is
// `errored` in the API and metrics and its deliveries are held, every other destination keeps
// receiving every event, and fixing its secret delivers its backlog.
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeWebhook } from './fakes/webhook.js';
import type { FakeServer } from './fakes/fake-server.js';
import { eventually } from './helpers/eventually.js';
import { startTestServer, track, type TestServer } from './helpers/server.js';
import { storesUnderTest } from './helpers/stores.js';
import { SecretBox } from '../src/shared/secret-box.js';

const HEALTHY_SECRET = 'whsec_healthy_0123456789';
const BROKEN_SECRET = 'whsec_broken_0123456789';
const USERS = 3;
const PER_USER = 10;

describe.each(storesUnderTest())('destination isolation on %s', (store) => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  it('delivers every event to the healthy destination while one with an unreadable secret is errored, then delivers its backlog once fixed', async () => {
    const server: TestServer = await startTestServer({ store });
    cleanup.push(() => server.close());
    const healthy: FakeServer = await startFakeWebhook(HEALTHY_SECRET);
    const broken: FakeServer = await startFakeWebhook(BROKEN_SECRET);
    cleanup.push(() => healthy.close(), () => broken.close());
    const api = async (path: string, method = 'GET', body?: unknown) => {
      const res = await server.admin(path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      return { status: res.status, body: (await res.json()) as any };
    };
    const create = async (name: string, url: string, secret: string) => {
      const res = await api('/v1/destinations', 'POST', { name, kind: 'events', connector: 'webhook', config: { url }, secrets: { signingSecret: secret }, filter: { events: ['Step'] } });
      expect(res.status).toBe(201);
      return res.body.id as string;
    };
    // The broken one sorts first (the stage and the engine read destinations by id).
    const brokenId = await create('Broken', broken.url, BROKEN_SECRET);
    const healthyId = await create('Healthy', healthy.url, HEALTHY_SECRET);
    // Sealed under another process's key, written straight into the store.
    const foreign = new SecretBox(Buffer.alloc(32, 7)).seal(JSON.stringify({ signingSecret: BROKEN_SECRET }));
    await server.meridian.storage.db.updateTable('destinations').set({ secrets: foreign }).where('id', '=', brokenId).execute();
    await eventually(async () =>
      expect(await (await fetch(server.url + '/metrics')).text()).toContain(`meridian_destination_errored{destination_id="${brokenId}",connector="webhook",code="secret_unreadable"} 1`),
    );

    const { writeKey } = await server.createSource();
    for (let n = 0; n < PER_USER; n++)
      for (let u = 0; u < USERS; u++) expect((await track(server.url, writeKey, '/v1/track', { userId: `u${u}`, event: 'Step', properties: { n } })).status).toBe(200);

    await eventually(() => expect(healthy.accepted).toHaveLength(USERS * PER_USER));
    const view = await api(`/v1/destinations/${brokenId}`);
    expect(view.body).toMatchObject({ state: 'errored', error: { code: 'secret_unreadable' }, secretsSet: [] });
    expect(view.body.error.message).toMatch(/cannot be decrypted/);
    expect((await api(`/v1/destinations/${healthyId}`)).body).toMatchObject({ state: 'ok', error: null });
    await eventually(async () => expect((await api(`/v1/destinations/${brokenId}/stats`)).body).toMatchObject({ state: 'errored', queued: USERS * PER_USER, delivered: 0 }));
    expect((await api(`/v1/destinations/${brokenId}/test`, 'POST')).body.error.code).toBe('destination_errored');
    expect(broken.requests).toHaveLength(0);
    const health = await api('/v1/pipeline/health');
    expect(health.body.stages.find((s: any) => s.stage === 'destinations:events')).toMatchObject({ lag: 0, setAside: 0 });

    // Fixed: the new secret clears the state and the held backlog goes out.
    const fixed = await api(`/v1/destinations/${brokenId}`, 'PATCH', { secrets: { signingSecret: BROKEN_SECRET } });
    expect(fixed.status).toBe(200);
    expect(fixed.body).toMatchObject({ state: 'ok', error: null, secretsSet: ['signingSecret'] });
    await eventually(() => expect(broken.accepted).toHaveLength(USERS * PER_USER));
    const sent = broken.accepted.map((r) => r.json as { userId: string; properties: { n: number } });
    for (let u = 0; u < USERS; u++)
      expect(sent.filter((e) => e.userId === `u${u}`).map((e) => e.properties.n)).toEqual(Array.from({ length: PER_USER }, (_, n) => n));
    await eventually(async () => expect(await (await fetch(server.url + '/metrics')).text()).not.toContain(`meridian_destination_errored{destination_id="${brokenId}"`));
    expect(healthy.accepted).toHaveLength(USERS * PER_USER);
  });
});
