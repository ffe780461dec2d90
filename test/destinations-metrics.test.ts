// Per-destination Prometheus metrics through GET /metrics, after real deliveries to a signed fake
// webhook: one destination recovers from a 503, one answers 400 (dead letters), one stays down
// (open circuit), and a paused one keeps its events queued.
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeWebhook } from './fakes/webhook.js';
import { eventually } from './helpers/eventually.js';
import { startTestServer, track, type TestServer } from './helpers/server.js';
import { storesUnderTest } from './helpers/stores.js';

const SECRET = 'whsec_metrics_0123456789';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the Prometheus text format (the lines this test needs: no escaped quotes in labels). */
function parse(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)) labels[k] = v;
    out.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}

async function scrape(server: TestServer) {
  const res = await fetch(server.url + '/metrics');
  expect(res.status).toBe(200);
  const samples = parse(await res.text());
  /** The value of the one sample with this name and these labels (undefined if absent). */
  return (name: string, labels: Record<string, string>) => {
    const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
    expect(found.length, `${name} ${JSON.stringify(labels)}`).toBeLessThanOrEqual(1);
    return found[0]?.value;
  };
}

describe.each(storesUnderTest())('destination metrics on %s', (store) => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  it('reports queue sizes from the store, outcome counters, latency and circuit state per destination', async () => {
    const server = await startTestServer({ store });
    const hook = await startFakeWebhook(SECRET);
    cleanup.push(() => server.close(), () => hook.close());
    let firstOk = true;
    hook.failWhen((req) => {
      if (req.path === '/gone') return { status: 400, body: { error: 'unknown endpoint' } };
      if (req.path === '/down') return { status: 503, body: { error: 'maintenance' } };
      if (req.path === '/ok' && firstOk) {
        firstOk = false;
        return { status: 503, body: { error: 'warming up' } };
      }
      return undefined;
    });
    const create = async (name: string, path: string, delivery: Record<string, unknown> = {}) => {
      const res = await server.admin('/v1/destinations', {
        method: 'POST',
        body: JSON.stringify({
          name, kind: 'events', connector: 'webhook', config: { url: hook.url + path }, secrets: { signingSecret: SECRET },
          filter: { events: ['Order Completed'] }, delivery: { baseBackoffMs: 20, maxBackoffMs: 50, ...delivery },
        }),
      });
      expect(res.status, await res.clone().text()).toBe(201);
      return ((await res.json()) as { id: string }).id;
    };
    const ok = await create('ok', '/ok');
    const gone = await create('gone', '/gone');
    const down = await create('down', '/down', { breakerThreshold: 1, breakerOpenMs: 60_000, baseBackoffMs: 60_000, maxBackoffMs: 60_000 });
    const paused = await create('paused', '/paused');
    expect((await server.admin(`/v1/destinations/${paused}/pause`, { method: 'POST' })).status).toBe(200);

    const { writeKey } = await server.createSource();
    const batch = ['u1', 'u2', 'u3'].map((userId, n) => ({ type: 'track', userId, event: 'Order Completed', properties: { n } }));
    expect((await track(server.url, writeKey, '/v1/batch', { batch })).status).toBe(200);
    await server.meridian.drainPipeline();
    const stats = async (id: string) => (await server.admin(`/v1/destinations/${id}/stats`)).json();
    await eventually(async () => {
      expect(await stats(ok)).toMatchObject({ delivered: 3 });
      expect(await stats(gone)).toMatchObject({ dead: 3 });
      expect(await stats(down)).toMatchObject({ retrying: 3, circuit: 'open' });
    }, 15_000);

    const m = await scrape(server);
    const at = (id: string, extra: Record<string, string> = {}) => ({ destination_id: id, connector: 'webhook', ...extra });
    // Counters of this (delivering) process.
    expect(m('meridian_destination_delivered_total', at(ok))).toBe(3);
    expect(m('meridian_destination_failed_attempts_total', at(ok, { status: '503' }))).toBe(1);
    expect(m('meridian_destination_delivery_latency_seconds_count', at(ok))).toBe(3);
    expect(m('meridian_destination_delivery_latency_seconds_bucket', at(ok, { le: '+Inf' }))).toBe(3);
    expect(m('meridian_destination_dead_lettered_total', at(gone))).toBe(3);
    expect(m('meridian_destination_failed_attempts_total', at(gone, { status: '400' }))).toBe(3);
    expect(m('meridian_destination_delivered_total', at(gone))).toBeUndefined();
    expect(m('meridian_destination_failed_attempts_total', at(down, { status: '503' }))).toBeGreaterThanOrEqual(1);
    expect(m('meridian_destination_dead_lettered_total', at(down))).toBeUndefined();
    // Queue sizes read from the store at scrape time.
    expect(m('meridian_destination_deliveries', at(ok, { status: 'queued' }))).toBe(0);
    expect(m('meridian_destination_deliveries', at(ok, { status: 'dead' }))).toBe(0);
    expect(m('meridian_destination_deliveries', at(gone, { status: 'dead' }))).toBe(3);
    expect(m('meridian_destination_deliveries', at(down, { status: 'retrying' }))).toBe(3);
    expect(m('meridian_destination_deliveries', at(paused, { status: 'queued' }))).toBe(3);
    // Circuit breakers: 0 closed, 2 open.
    expect(m('meridian_destination_circuit_state', at(ok))).toBe(0);
    expect(m('meridian_destination_circuit_state', at(down))).toBe(2);

    // Resumed, the queue drains; a deleted destination leaves the gauges.
    expect((await server.admin(`/v1/destinations/${paused}/resume`, { method: 'POST' })).status).toBe(200);
    expect((await server.admin(`/v1/destinations/${down}`, { method: 'DELETE' })).status).toBe(204);
    await eventually(async () => {
      const after = await scrape(server);
      expect(after('meridian_destination_deliveries', at(paused, { status: 'queued' }))).toBe(0);
      expect(after('meridian_destination_delivered_total', at(paused))).toBe(3);
      expect(after('meridian_destination_deliveries', at(down, { status: 'retrying' }))).toBeUndefined();
    }, 15_000);
  });
});
