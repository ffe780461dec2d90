// The real Segment and RudderStack Node SDKs, pointed at a Meridian started by the test, deliver
// every call type; each event is readable through the read API with the fields the SDK sent.
import type { IncomingHttpHeaders } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { Analytics as SegmentAnalytics } from '@segment/analytics-node';
import RudderAnalytics from '@rudderstack/rudder-sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storesUnderTest } from './helpers/stores.js';

interface StoredView {
  messageId: string;
  type: string;
  message: Record<string, any>;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe.each(storesUnderTest())('real SDKs against Meridian on %s', (store) => {
  let server: TestServer;
  // Every tracking request as it reached the server, to see what each SDK put on the wire.
  const requests: { url: string; headers: IncomingHttpHeaders }[] = [];

  beforeAll(async () => {
    server = await startTestServer({ store });
    server.meridian.app.server.on('request', (req) => {
      if (req.method === 'POST') requests.push({ url: req.url ?? '', headers: req.headers });
    });
  });
  afterAll(() => server?.close());

  const storedFor = async (sourceId: string) => {
    const res = await server.admin(`/v1/events?sourceId=${sourceId}&limit=100`);
    expect(res.status).toBe(200);
    const events = ((await res.json()) as { data: StoredView[] }).data;
    return Object.fromEntries(events.map((e) => [e.type, e])) as Record<string, StoredView>;
  };

  /** The checks every SDK must pass: one stored event per call type, with the fields the SDK sent. */
  const expectDelivered = (byType: Record<string, StoredView>, prefix: string, library: string) => {
    expect(Object.keys(byType).sort()).toEqual(['alias', 'group', 'identify', 'page', 'screen', 'track']);
    for (const e of Object.values(byType)) {
      expect(e.message.type).toBe(e.type);
      expect(e.message.messageId).toBe(e.messageId);
      expect(e.message.context.library.name).toBe(library);
      expect(e.message.timestamp).toMatch(ISO);
      expect(e.message.originalTimestamp).toMatch(ISO);
      expect(e.message.receivedAt).toMatch(ISO);
      expect(Math.abs(Date.parse(e.message.timestamp) - Date.now())).toBeLessThan(60_000);
    }
    expect(byType.identify.message).toMatchObject({ userId: `${prefix}-user`, traits: { email: `${prefix}@example.com`, plan: 'pro' } });
    expect(byType.track.message).toMatchObject({
      userId: `${prefix}-user`,
      event: 'Order Completed',
      properties: { orderId: `${prefix}-o1`, total: 99.5, items: [{ sku: 'A', qty: 2 }] },
    });
    expect(byType.page.message).toMatchObject({ anonymousId: `${prefix}-anon`, name: 'Pricing', properties: { path: '/pricing' } });
    expect(byType.screen.message).toMatchObject({ userId: `${prefix}-user`, name: 'Checkout', properties: { step: 2 } });
    expect(byType.group.message).toMatchObject({ userId: `${prefix}-user`, groupId: `${prefix}-acme`, traits: { name: 'Acme', employees: 50 } });
    expect(byType.alias.message).toMatchObject({ userId: `${prefix}-user`, previousId: `${prefix}-anon` });
  };

  it('receives identify, track, page, screen, group and alias from @segment/analytics-node', async () => {
    const source = await server.createSource('segment node');
    const analytics = new SegmentAnalytics({
      writeKey: source.writeKey,
      host: server.url,
      path: '/v1/batch',
      flushAt: 100,
      flushInterval: 60_000,
      maxRetries: 0,
    });
    const statuses: number[] = [];
    const sentIds: string[] = [];
    const errors: unknown[] = [];
    analytics.on('http_request', (r) => sentIds.push(...(JSON.parse(r.body as string) as { batch: { messageId: string }[] }).batch.map((m) => m.messageId)));
    analytics.on('http_response', (r) => statuses.push(r.status));
    analytics.on('error', (err) => errors.push(err));

    const before = requests.length;
    analytics.identify({ userId: 'seg-user', traits: { email: 'seg@example.com', plan: 'pro' } });
    analytics.track({ userId: 'seg-user', event: 'Order Completed', properties: { orderId: 'seg-o1', total: 99.5, items: [{ sku: 'A', qty: 2 }] } });
    analytics.page({ anonymousId: 'seg-anon', name: 'Pricing', properties: { path: '/pricing' } });
    analytics.screen({ userId: 'seg-user', name: 'Checkout', properties: { step: 2 } });
    analytics.group({ userId: 'seg-user', groupId: 'seg-acme', traits: { name: 'Acme', employees: 50 } });
    analytics.alias({ userId: 'seg-user', previousId: 'seg-anon' });
    await analytics.closeAndFlush({ timeout: 10_000 });

    expect(errors).toEqual([]);
    expect(statuses).toEqual([200]);
    expect(requests.slice(before).map((r) => r.url)).toEqual(['/v1/batch']);
    const byType = await storedFor(source.id);
    expectDelivered(byType, 'seg', '@segment/analytics-node');
    expect(Object.values(byType).map((e) => e.messageId).sort()).toEqual([...sentIds].sort());
  });

  it('receives identify, track, page, screen, group and alias from @rudderstack/rudder-sdk-node, gzip-compressed', async () => {
    const source = await server.createSource('rudderstack node');
    const errors: unknown[] = [];
    const client = new RudderAnalytics(source.writeKey, {
      dataPlaneUrl: server.url,
      flushAt: 100,
      flushInterval: 60_000,
      retryCount: 0,
      logLevel: 'error',
      errorHandler: (err) => errors.push(err),
    });
    // The SDK hands each call's callback the request body it sent: gzip bytes when compression is on.
    const sentBodies: Buffer[] = [];
    const sent = (_err?: unknown, data?: unknown) => {
      if (Buffer.isBuffer(data)) sentBodies.push(data);
    };

    const before = requests.length;
    client.identify({ userId: 'rs-user', traits: { email: 'rs@example.com', plan: 'pro' } }, sent);
    client.track({ userId: 'rs-user', event: 'Order Completed', properties: { orderId: 'rs-o1', total: 99.5, items: [{ sku: 'A', qty: 2 }] } }, sent);
    client.page({ anonymousId: 'rs-anon', name: 'Pricing', properties: { path: '/pricing' } }, sent);
    client.screen({ userId: 'rs-user', name: 'Checkout', properties: { step: 2 } }, sent);
    client.group({ userId: 'rs-user', groupId: 'rs-acme', traits: { name: 'Acme', employees: 50 } }, sent);
    client.alias({ userId: 'rs-user', previousId: 'rs-anon' }, sent);
    // The first call is sent at once on its own; flush sends the rest once that request is done and
    // calls back after the calls' own callbacks.
    await new Promise<void>((resolve, reject) => void client.flush((err) => (err ? reject(err) : resolve())));

    expect(errors).toEqual([]);
    const wire = requests.slice(before);
    expect(wire.length).toBeGreaterThanOrEqual(1);
    for (const r of wire) {
      expect(r.url).toBe('/v1/batch');
      expect(r.headers['content-encoding']).toBe('gzip');
      expect(r.headers['content-type']).not.toMatch(/json/);
    }
    const sentIds = [...new Set(sentBodies)].flatMap((b) => (JSON.parse(gunzipSync(b).toString()) as { batch: { messageId: string }[] }).batch.map((m) => m.messageId));

    const byType = await storedFor(source.id);
    expectDelivered(byType, 'rs', 'analytics-node');
    expect(Object.values(byType).map((e) => e.messageId).sort()).toEqual([...new Set(sentIds)].sort());
    expect(byType.track.message.channel).toBe('server');
  });

  it('stores a RudderStack batch once when the SDK is told not to compress', async () => {
    const source = await server.createSource('rudderstack plain');
    const client = new RudderAnalytics(source.writeKey, { dataPlaneUrl: server.url, gzip: false, retryCount: 0, logLevel: 'error' });
    const before = requests.length;
    client.track({ anonymousId: 'rs-plain', event: 'Plain Body' });
    await client.flush();
    expect(requests.slice(before).map((r) => r.headers['content-encoding'])).toEqual([undefined]);
    const byType = await storedFor(source.id);
    expect(Object.keys(byType)).toEqual(['track']);
    expect(byType.track.message).toMatchObject({ anonymousId: 'rs-plain', event: 'Plain Body', context: { library: { name: 'analytics-node' } } });
  });
});
