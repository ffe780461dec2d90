// Segment-filtered event forwarding waits for segmentation: an event is judged against segment
// membership only once the identity and segments stages have taken it into account (the barrier
// read from their durable positions). The server runs as an API process, so the test decides when
// each stage runs — the event-forwarding stage first, as it may in a worker process of its own.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DeliveryEngine } from '../src/destinations/engine.js';
import { EVENTS_STAGE } from '../src/destinations/event-stage.js';
import { Stage } from '../src/log/index.js';
import { startFakeWebhook } from './fakes/webhook.js';
import type { FakeServer } from './fakes/fake-server.js';
import { eventually } from './helpers/eventually.js';
import { startTestServer, track, type TestServer } from './helpers/server.js';
import { freshPgSchema, storesUnderTest } from './helpers/stores.js';

const SECRET = 'whsec_barrier_0123456789';

describe.each(storesUnderTest())('segment-filtered event forwarding on %s', (store) => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  async function setup() {
    const server = await startTestServer({ store, config: { role: 'api' } });
    const hook = await startFakeWebhook(SECRET);
    cleanup.push(() => server.close(), () => hook.close());
    const { writeKey } = await server.createSource();
    const events = server.meridian.stages.find((s) => s.name === EVENTS_STAGE)!;
    const engine = server.meridian.workers.find((w): w is DeliveryEngine => w instanceof DeliveryEngine)!;
    engine.start();
    const send = async (path: string, body: Record<string, unknown>) => expect((await track(server.url, writeKey, path, body)).status).toBe(200);
    return { server, hook, events, send };
  }

  async function api(server: TestServer, path: string, body: unknown) {
    const res = await server.admin(path, { method: 'POST', body: JSON.stringify(body) });
    expect(res.status, await res.clone().text()).toBe(201);
    return (await res.json()) as { id: string };
  }

  const hookFor = (server: TestServer, hook: FakeServer, segmentId: string) =>
    api(server, '/v1/destinations', {
      name: 'Segment hook', kind: 'events', connector: 'webhook', config: { url: hook.url }, secrets: { signingSecret: SECRET },
      filter: { events: ['Order Completed'], segmentId }, mapping: { user: 'userId', n: 'properties.n' },
    });
  const received = (hook: FakeServer) => hook.accepted.map((r) => r.json as { user: string; n: number });

  it('forwards the very event that makes the person enter the segment', async () => {
    const { server, hook, events, send } = await setup();
    const seg = await api(server, '/v1/segments', { name: 'Buyers', rule: { version: 1, root: { type: 'event', event: 'Order Completed' } } });
    await hookFor(server, hook, seg.id);

    await send('/v1/track', { userId: 'ann', event: 'Order Completed', properties: { n: 1 } });
    // Identity and segments have not seen the order yet: forwarding must not judge it now.
    expect(await events.drain()).toBe(0);
    await server.meridian.drainPipeline();
    await eventually(() => expect(received(hook)).toEqual([{ user: 'ann', n: 1, seq: expect.any(Number) }]));

    // Once caught up the stage is at the head of the log: nothing is held back for good.
    const { db } = server.meridian.storage;
    expect(await Stage.position(db, EVENTS_STAGE)).toBe(await server.meridian.log.headSeq());
  });

  it('does not forward an event sent after the person left the segment, and forwards again after re-entry', async () => {
    const { server, hook, events, send } = await setup();
    const seg = await api(server, '/v1/segments', { name: 'Pro', rule: { version: 1, root: { type: 'trait', path: 'plan', op: 'equals', value: 'pro' } } });
    await hookFor(server, hook, seg.id);

    await send('/v1/identify', { userId: 'ann', traits: { plan: 'pro' } });
    await send('/v1/track', { userId: 'ann', event: 'Order Completed', properties: { n: 1 } });
    await server.meridian.drainPipeline();

    await send('/v1/identify', { userId: 'ann', traits: { plan: 'free' } });
    await send('/v1/track', { userId: 'ann', event: 'Order Completed', properties: { n: 2 } });
    // Membership still says "pro": the stage waits instead of sending order 2.
    expect(await events.drain()).toBe(0);
    await server.meridian.drainPipeline();

    await send('/v1/identify', { userId: 'ann', traits: { plan: 'pro' } });
    await send('/v1/track', { userId: 'ann', event: 'Order Completed', properties: { n: 3 } });
    expect(await events.drain()).toBe(0);
    await server.meridian.drainPipeline();

    await eventually(() => expect(received(hook).map((b) => b.n)).toEqual([1, 3]));
    await new Promise((r) => setTimeout(r, 200));
    expect(received(hook).map((b) => b.n)).toEqual([1, 3]);
  });

  it('does not wait for segmentation when no destination filters by segment', async () => {
    const { server, hook, events, send } = await setup();
    await api(server, '/v1/destinations', {
      name: 'Plain hook', kind: 'events', connector: 'webhook', config: { url: hook.url }, secrets: { signingSecret: SECRET },
      filter: { events: ['Order Completed'] }, mapping: { user: 'userId', n: 'properties.n' },
    });
    await send('/v1/track', { userId: 'ann', event: 'Order Completed', properties: { n: 1 } });
    // Identity has not run at all: the plain destination is served straight from the log.
    expect(await events.drain()).toBe(1);
    await eventually(() => expect(received(hook).map((b) => b.n)).toEqual([1]));
  });

  it('a segment filter for a segment nobody is in holds nothing back', async () => {
    const { server, hook, events, send } = await setup();
    await hookFor(server, hook, 'seg_unknown');
    await send('/v1/track', { userId: 'ann', event: 'Order Completed', properties: { n: 1 } });
    await send('/v1/track', { userId: 'bob', event: 'Page Viewed' });
    expect(await events.drain()).toBe(0);
    await server.meridian.drainPipeline();
    expect(await Stage.position(server.meridian.storage.db, EVENTS_STAGE)).toBe(await server.meridian.log.headSeq());
    expect(hook.requests).toHaveLength(0);
  });

  it('API and worker processes on one store: every order that makes its buyer enter is forwarded', async () => {
    // Two servers on the same store stand for two processes: they share nothing but the database.
    const dataDir = mkdtempSync(join(tmpdir(), 'meridian-barrier-'));
    const pg = store === 'postgres' ? await freshPgSchema() : undefined;
    cleanup.push(async () => {
      await pg?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    });
    const shared = { store, dataDir, pgSchema: pg?.schema };
    const apiServer = await startTestServer({ ...shared, config: { role: 'api' } });
    cleanup.push(() => apiServer.close());
    const worker = await startTestServer({ ...shared, config: { role: 'worker' } });
    cleanup.push(() => worker.close());
    const hook = await startFakeWebhook(SECRET);
    cleanup.push(() => hook.close());

    const seg = await api(apiServer, '/v1/segments', { name: 'Buyers', rule: { version: 1, root: { type: 'event', event: 'Order Completed' } } });
    await hookFor(apiServer, hook, seg.id);
    // Another process sees a new destination once its destination cache (1 s) expires.
    await new Promise((r) => setTimeout(r, 1_200));
    const { writeKey } = await apiServer.createSource();
    const users = Array.from({ length: 10 }, (_, i) => `buyer${i}`);
    for (const [n, userId] of users.entries()) {
      const res = await track(apiServer.url, writeKey, '/v1/track', { userId, event: 'Order Completed', properties: { n } });
      expect(res.status).toBe(200);
    }
    await eventually(() => expect(received(hook).map((b) => b.user).sort()).toEqual([...users].sort()), 20_000);
  });
});
