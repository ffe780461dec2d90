// MQTT sources against the real broker (Mosquitto, MERIDIAN_TEST_MQTT_URL): subscribe with
// wildcards, map device messages to events on the device identity, dedupe redeliveries, and receive
// what was published while Meridian was down (persistent session, QoS 1).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/server.js';
import { freshPgSchema, storesUnderTest } from './helpers/stores.js';

const brokerUrl = process.env.MERIDIAN_TEST_MQTT_URL;
if (!brokerUrl) console.warn('[meridian tests] MERIDIAN_TEST_MQTT_URL is not set: MQTT source tests are SKIPPED');

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(!brokerUrl).each(storesUnderTest())('MQTT source on %s', (store) => {
  let server: TestServer;
  let publisher: mqtt.MqttClient;
  let sourceId: string;
  const base = `meridian-test/${randomBytes(4).toString('hex')}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'meridian-mqtt-'));
  let pg: Awaited<ReturnType<typeof freshPgSchema>> | undefined;
  const start = () => startTestServer({ store, dataDir, pgSchema: pg?.schema });

  beforeAll(async () => {
    if (store === 'postgres') pg = await freshPgSchema();
    server = await start();
    publisher = await mqtt.connectAsync(brokerUrl!, { clientId: `meridian-test-pub-${randomBytes(4).toString('hex')}` });
    ({ id: sourceId } = await server.createSource('thermostats', { type: 'iot' }));
  });
  afterAll(async () => {
    await publisher?.endAsync();
    await server?.close();
    await pg?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const events = () => server.meridian.log.readAfter(0, 100, sourceId);
  const publish = (topic: string, payload: unknown) => publisher.publishAsync(topic, typeof payload === 'string' ? payload : JSON.stringify(payload), { qos: 1 });
  const connected = () => until('the subscription', async () => ((await (await server.admin(`/v1/sources/${sourceId}/mqtt`)).json()) as any).status.connected);

  it('subscribes to wildcard topics and turns device messages into events on the device identity', async () => {
    const res = await server.admin(`/v1/sources/${sourceId}/mqtt`, {
      method: 'PUT',
      body: JSON.stringify({
        brokerUrl,
        topics: [`${base}/+/telemetry`, `${base}/alerts/#`],
        mapping: { deviceId: { topicLevel: 2 }, event: 'Temperature Reported', eventField: 'event', propertiesField: 'data', timestampField: 'ts' },
      }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ sourceId, topics: [`${base}/+/telemetry`, `${base}/alerts/#`], hasPassword: false });
    await connected();

    await publish(`${base}/dev-42/telemetry`, { ts: 1767261600, data: { celsius: 21.5, humidity: 40 } });
    await publish(`${base}/dev-43/telemetry`, { ts: '2026-01-01T10:05:00Z', event: 'Door Opened', data: { door: 'front' } });
    await publish(`${base}/other/ignored`, { ts: 1767261600, data: {} });
    const [first, second] = await until('two events', async () => {
      const e = await events();
      return e.length >= 2 && e;
    });
    expect(first.payload).toMatchObject({
      type: 'track',
      event: 'Temperature Reported',
      anonymousId: 'device:dev-42',
      timestamp: '2026-01-01T10:00:00.000Z',
      properties: { celsius: 21.5, humidity: 40, device_id: 'dev-42', topic: `${base}/dev-42/telemetry` },
      context: { device: { id: 'dev-42' }, traits: { device_id: 'dev-42' } },
    });
    expect(second.payload).toMatchObject({ event: 'Door Opened', anonymousId: 'device:dev-43', properties: { door: 'front' } });
  });

  it('stores a redelivered reading once', async () => {
    const reading = { ts: 1767262000, data: { celsius: 22 } };
    await publish(`${base}/dev-42/telemetry`, reading);
    await publish(`${base}/dev-42/telemetry`, reading);
    await publish(`${base}/dev-44/telemetry`, { ts: 1767262001, data: { celsius: 19 } });
    const all = await until('the third reading', async () => {
      const e = await events();
      return e.some((x) => x.anonymousId === 'device:dev-44') && e;
    });
    expect(all.filter((e) => (e.payload as any).timestamp === new Date(1767262000_000).toISOString())).toHaveLength(1);
  });

  it('receives messages published while the server was down once it is back', async () => {
    await server.close();
    await publish(`${base}/dev-45/telemetry`, { ts: 1767263000, data: { celsius: 18 } });
    server = await start();
    const e = await until('the message published during the downtime', async () => (await events()).find((x) => x.anonymousId === 'device:dev-45'));
    expect(e.payload).toMatchObject({ properties: { celsius: 18 } });
  });

  it('stops consuming the old topics when the set-up is removed and replaced', async () => {
    expect((await server.admin(`/v1/sources/${sourceId}/mqtt`, { method: 'DELETE' })).status).toBe(204);
    expect((await server.admin(`/v1/sources/${sourceId}/mqtt`)).status).toBe(404);
    const res = await server.admin(`/v1/sources/${sourceId}/mqtt`, {
      method: 'PUT',
      body: JSON.stringify({ brokerUrl, topics: [`${base}/v2/+`], mapping: { deviceId: { topicLevel: 3 }, timestampField: 'ts' } }),
    });
    expect(res.status).toBe(200);
    await connected();
    await publish(`${base}/dev-46/telemetry`, { ts: 1767264000, data: { celsius: 1 } });
    await publish(`${base}/v2/dev-47`, { ts: 1767264001, celsius: 2 });
    const all = await until('the message on the new topic', async () => {
      const e = await events();
      return e.some((x) => x.anonymousId === 'device:dev-47') && e;
    });
    expect(all.find((x) => x.anonymousId === 'device:dev-47')!.payload).toMatchObject({ event: 'Device Message', properties: { celsius: 2 } });
    expect(all.some((x) => (x.payload as any).properties.topic === `${base}/dev-46/telemetry`)).toBe(false);
  });
});
