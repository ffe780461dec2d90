// Custom JavaScript transformations through the public API: set, test with a sample, applied to
// live events (change, drop, split), and a sandbox that stops runaway code without harming the server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, track, type TestServer } from './helpers/server.js';
import { storesUnderTest } from './helpers/stores.js';

const CODE = `
function transform(event) {
  if (event.event === 'Drop Me') return null;
  if (event.event === 'Order Completed') {
    return [
      event,
      { type: 'identify', userId: event.userId, traits: { last_order_total: event.properties.total } },
    ];
  }
  event.properties = { ...event.properties, transformed: true, name_upper: String(event.properties.name || '').toUpperCase() };
  return event;
}`;

describe.each(storesUnderTest())('custom transformations on %s', (store) => {
  let server: TestServer;
  let source: { id: string; writeKey: string };

  beforeAll(async () => {
    server = await startTestServer({ store });
    source = await server.createSource('app');
  });
  afterAll(() => server?.close());

  const put = (code: string, id = source.id) => server.admin(`/v1/sources/${id}/transformation`, { method: 'PUT', body: JSON.stringify({ code }) });
  const tryCode = async (code: string | undefined, event: Record<string, unknown>) =>
    (await server.admin(`/v1/sources/${source.id}/transformation/test`, { method: 'POST', body: JSON.stringify({ event, ...(code ? { code } : {}) }) })).json();
  const sample = { type: 'track', userId: 'u-1', event: 'Product Viewed', messageId: 'sample-1', properties: { name: 'tea' } };

  it('reports compile errors and a missing transform function when the code is saved', async () => {
    const syntax = await put('function transform(event) { return [ }');
    expect(syntax.status).toBe(400);
    const body = await syntax.json();
    expect(body.error.code).toBe('transform_compile_error');
    expect(body.error.message).toMatch(/SyntaxError|Unexpected/);

    const missing = await put('const x = 1;');
    expect(missing.status).toBe(400);
    expect((await missing.json()).error).toMatchObject({ code: 'transform_compile_error', message: expect.stringContaining('function transform(event)') });
    expect((await server.admin(`/v1/sources/${source.id}/transformation`)).status).toBe(404);
  });

  it('tests code on a sample event and returns the normalised output without storing anything', async () => {
    const out = await tryCode(CODE, sample);
    expect(out.error).toBeNull();
    expect(out.events).toHaveLength(1);
    expect(out.events[0]).toMatchObject({ type: 'track', event: 'Product Viewed', messageId: 'sample-1', properties: { name: 'tea', transformed: true, name_upper: 'TEA' } });
    expect(await server.meridian.log.readAfter(0, 10, source.id)).toHaveLength(0);
  });

  it('returns the error a transformation throws, and invalid outputs, as the test result', async () => {
    const thrown = await tryCode('function transform(e) { throw new TypeError("no price on " + e.event) }', sample);
    expect(thrown).toEqual({ events: [], error: { code: 'transform_error', message: 'the transformation threw TypeError: no price on Product Viewed' } });
    const invalid = await tryCode('function transform(e) { return { type: "track", userId: "u" } }', sample);
    expect(invalid.error).toMatchObject({ code: 'transform_invalid_output', message: expect.stringContaining('event is required') });
    const notEvent = await tryCode('function transform(e) { return 42 }', sample);
    expect(notEvent.error.code).toBe('transform_invalid_output');
  });

  it('stops an infinite loop with a clear error while the server keeps answering other requests', async () => {
    const started = Date.now();
    const looping = tryCode('function transform(e) { while (true) {} }', sample);
    // While the loop spins in the sandbox, the server answers other requests first.
    await new Promise((r) => setTimeout(r, 100));
    const first = await Promise.race([looping.then(() => 'transformation'), fetch(`${server.url}/healthz`).then((r) => `health ${r.status}`)]);
    expect(first).toBe('health 200');
    const out = await looping;
    expect(out.error).toMatchObject({ code: 'transform_timeout', message: expect.stringContaining('1000 ms') });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('stops a growing memory bomb with a clear error and keeps working afterwards', async () => {
    const out = await tryCode('function transform(e) { const a = []; while (true) a.push(new Array(1 << 20).fill(1.5)); }', sample);
    // Near its heap limit V8 mostly collects garbage: on a busy machine the time limit can stop the
    // bomb first. Either way it is stopped and the error says which limit did it.
    expect(['transform_memory_limit', 'transform_timeout']).toContain(out.error.code);
    expect(out.error.message).toMatch(/memory limit of 32 MB|longer than 1000 ms/);
    expect((await tryCode(CODE, sample)).error).toBeNull();
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('stops a memory bomb that aborts V8 itself: the sandbox process is restarted, the server unharmed', async () => {
    const out = await tryCode('function transform(e) { return new Array(1 << 26).fill(1.5).length }', sample);
    expect(out.error).toMatchObject({ code: 'transform_memory_limit', message: expect.stringContaining('memory limit') });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect((await tryCode(CODE, sample)).events).toHaveLength(1);
  });

  it('applies the saved transformation to live events: changes, drops and splits them', async () => {
    const saved = await put(CODE);
    expect(saved.status).toBe(200);
    expect(await saved.json()).toMatchObject({ sourceId: source.id, code: CODE });

    const res = await track(server.url, source.writeKey, '/v1/batch', {
      batch: [
        { type: 'track', userId: 'u-7', event: 'Product Viewed', messageId: 'live-1', properties: { name: 'oolong' } },
        { type: 'track', userId: 'u-7', event: 'Drop Me', messageId: 'live-2' },
        { type: 'track', userId: 'u-7', event: 'Order Completed', messageId: 'live-3', properties: { total: 88 } },
      ],
    });
    expect(res.status).toBe(200);
    const events = await server.meridian.log.readAfter(0, 10, source.id);
    expect(events.map((e) => [e.messageId, e.type, e.event])).toEqual([
      ['live-1', 'track', 'Product Viewed'],
      ['live-3', 'track', 'Order Completed'],
      ['live-3-1', 'identify', null],
    ]);
    expect(events[0].payload).toMatchObject({ properties: { transformed: true, name_upper: 'OOLONG' } });
    expect(events[2].payload).toMatchObject({ userId: 'u-7', traits: { last_order_total: 88 } });

    // A retried call splits the same way: the derived messageIds dedupe.
    const again = await track(server.url, source.writeKey, '/v1/track', { userId: 'u-7', event: 'Order Completed', messageId: 'live-3', properties: { total: 88 } });
    expect(await again.json()).toMatchObject({ accepted: 0, duplicates: 2 });
  });

  it('keeps an event whose live transformation fails in failed events instead of the log', async () => {
    const { id, writeKey } = await server.createSource('broken');
    expect((await put('function transform(e) { if (e.event === "Bad") while (true) {} ; return e }', id)).status).toBe(200);
    const res = await track(server.url, writeKey, '/v1/batch', {
      batch: [
        { type: 'track', userId: 'u-8', event: 'Bad', messageId: 'b-1' },
        { type: 'track', userId: 'u-8', event: 'Good', messageId: 'b-2' },
      ],
    });
    expect(res.status).toBe(200);
    expect((await server.meridian.log.readAfter(0, 10, id)).map((e) => e.messageId)).toEqual(['b-2']);
    const failed = await (await server.admin(`/v1/failed-events?sourceId=${id}`)).json();
    expect(failed.data).toHaveLength(1);
    expect(failed.data[0]).toMatchObject({ stage: 'transform', code: 'transform_timeout', messageId: 'b-1' });
  });

  it('stops transforming once the transformation is removed', async () => {
    expect((await server.admin(`/v1/sources/${source.id}/transformation`, { method: 'DELETE' })).status).toBe(204);
    await track(server.url, source.writeKey, '/v1/track', { userId: 'u-9', event: 'Drop Me', messageId: 'after-delete' });
    expect((await server.meridian.log.readAfter(0, 10, source.id)).map((e) => e.messageId)).toContain('after-delete');
  });
});
