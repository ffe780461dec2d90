// The bad-input corpus for the tracking API: every malformed request gets its documented status and
// error code, a message naming the offending field, stores nothing, and leaves the server serving.
import { deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, startTestServer, track, type TestServer } from './helpers/server.js';
import { storesUnderTest } from './helpers/stores.js';

type Auth = 'source' | 'none' | 'unknown' | 'bearer' | 'disabled';

interface BadCase {
  name: string;
  /** Defaults to /v1/track. */
  path?: string;
  /** An object is sent as JSON; a string or Buffer as is. */
  body: unknown;
  headers?: Record<string, string>;
  /** Send no Content-Type header at all. */
  noContentType?: boolean;
  /** Defaults to the write key of an enabled source, as HTTP Basic. */
  auth?: Auth;
  status: number;
  code: string;
  /** The offending field: in details.field and named in the message. */
  field?: string;
  /** What else the message must name (a header, a value) when there is no field. */
  mentions?: string;
  /** For a batch whose every item is invalid: the code of each item, in order. */
  items?: string[];
}

const probe = (extra: Record<string, unknown> = {}) => ({ userId: 'u-bad', event: 'Probe', ...extra });
const nested = (levels: number, leaf: unknown = 1): unknown => (levels === 0 ? leaf : { a: nested(levels - 1, leaf) });
const nestedArrays = (levels: number): unknown => (levels === 0 ? 1 : [nestedArrays(levels - 1)]);
const json = (v: unknown) => Buffer.from(JSON.stringify(v));
const gzipped = { 'content-encoding': 'gzip' };
const KB = 1024;

const cases: BadCase[] = [
  // Bodies that are not a JSON object.
  { name: 'truncated JSON', body: '{"userId":"u-bad","event":', status: 400, code: 'invalid_json' },
  { name: 'single-quoted JSON', body: "{'userId':'u-bad','event':'Probe'}", status: 400, code: 'invalid_json' },
  { name: 'trailing comma', body: '{"userId":"u-bad","event":"Probe",}', status: 400, code: 'invalid_json' },
  { name: 'NaN literal', body: '{"userId":"u-bad","event":"Probe","properties":{"n":NaN}}', status: 400, code: 'invalid_json' },
  { name: 'plain text', body: 'userId=u-bad&event=Probe', status: 400, code: 'invalid_json' },
  { name: 'empty body', body: '', status: 400, code: 'empty_body' },
  { name: 'empty body without Content-Type', body: new Uint8Array(0), noContentType: true, status: 400, code: 'empty_body' },
  { name: 'whitespace-only body', body: '  \n\t\r\n ', status: 400, code: 'empty_body' },
  { name: 'JSON array body', body: [probe()], status: 400, code: 'invalid_body' },
  { name: 'JSON string body', body: '"track me"', status: 400, code: 'invalid_body' },
  { name: 'JSON number body', body: '42', status: 400, code: 'invalid_body' },
  { name: 'JSON null body', body: 'null', status: 400, code: 'invalid_body' },
  {
    name: 'invalid UTF-8 bytes',
    body: Buffer.concat([Buffer.from('{"userId":"'), Buffer.from([0xff, 0xfe]), Buffer.from('","event":"Probe"}')]),
    status: 400,
    code: 'invalid_encoding',
    mentions: 'UTF-8',
  },
  {
    name: 'Latin-1 text sent as UTF-8',
    body: Buffer.from('{"userId":"u-bad","event":"Café"}', 'latin1'),
    status: 400,
    code: 'invalid_encoding',
  },

  {
    name: 'malformed Content-Type header',
    body: json(probe()),
    headers: { 'content-type': 'not a media type' },
    status: 415,
    code: 'unsupported_media_type',
    mentions: 'Content-Type',
  },

  // Compression.
  { name: 'truncated gzip', body: gzipSync(json(probe())).subarray(0, 20), headers: gzipped, status: 400, code: 'invalid_compression', mentions: 'gzip' },
  { name: 'plain JSON labelled gzip', body: json(probe()), headers: gzipped, status: 400, code: 'invalid_compression' },
  {
    name: 'truncated deflate',
    body: deflateSync(json(probe({ properties: { pad: 'x'.repeat(500) } }))).subarray(0, 12),
    headers: { 'content-encoding': 'deflate' },
    status: 400,
    code: 'invalid_compression',
    mentions: 'deflate',
  },
  {
    name: 'gzip bomb (10 MB of JSON in a few KB)',
    body: gzipSync(json(probe({ properties: { pad: 'a'.repeat(10 * KB * KB) } }))),
    headers: gzipped,
    status: 413,
    code: 'payload_too_large',
    mentions: 'decompressed',
  },
  {
    name: 'gzip batch that decompresses just beyond 500 KB',
    path: '/v1/batch',
    body: gzipSync(json({ batch: Array.from({ length: 20 }, () => ({ type: 'track', ...probe({ properties: { pad: 'b'.repeat(26 * KB) } }) })) })),
    headers: gzipped,
    status: 413,
    code: 'payload_too_large',
  },
  { name: 'Content-Encoding br', body: json(probe()), headers: { 'content-encoding': 'br' }, status: 415, code: 'unsupported_encoding', mentions: '"br"' },
  { name: 'Content-Encoding compress', body: json(probe()), headers: { 'content-encoding': 'compress' }, status: 415, code: 'unsupported_encoding', mentions: '"compress"' },

  // Size limits.
  { name: 'single event over 32 KB', body: probe({ properties: { pad: 'c'.repeat(33 * KB) } }), status: 413, code: 'event_too_large', mentions: '32768' },
  {
    name: 'batch body over 500 KB',
    path: '/v1/batch',
    body: { batch: Array.from({ length: 20 }, () => ({ type: 'track', ...probe({ properties: { pad: 'd'.repeat(26 * KB) } }) })) },
    status: 413,
    code: 'payload_too_large',
  },
  {
    name: 'batch whose only event is over 32 KB',
    path: '/v1/batch',
    body: { batch: [{ type: 'track', ...probe({ properties: { pad: 'e'.repeat(33 * KB) } }) }] },
    status: 400,
    code: 'invalid_batch',
    field: 'batch[0]',
    items: ['event_too_large'],
  },

  // Write keys and sources.
  { name: 'no write key', body: probe(), auth: 'none', status: 401, code: 'missing_write_key' },
  { name: 'unknown write key', body: probe(), auth: 'unknown', status: 401, code: 'invalid_write_key' },
  { name: 'write key in the body is a number', body: probe({ writeKey: 12345 }), auth: 'none', status: 401, code: 'missing_write_key' },
  { name: 'Bearer token instead of Basic write key', body: probe(), auth: 'bearer', status: 401, code: 'missing_write_key' },
  { name: 'disabled source', body: probe(), auth: 'disabled', status: 403, code: 'source_disabled' },

  // Wrong types for common fields.
  { name: 'userId is an object', body: probe({ userId: { id: 1 } }), status: 400, code: 'invalid_field', field: 'userId' },
  { name: 'userId is a boolean', body: probe({ userId: true }), status: 400, code: 'invalid_field', field: 'userId' },
  { name: 'anonymousId is an array', body: probe({ userId: undefined, anonymousId: ['a'] }), status: 400, code: 'invalid_field', field: 'anonymousId' },
  { name: 'userId longer than 1024 characters', body: probe({ userId: 'u'.repeat(1025) }), status: 400, code: 'invalid_field', field: 'userId' },
  { name: 'properties is an array', body: probe({ properties: [1, 2] }), status: 400, code: 'invalid_field', field: 'properties' },
  { name: 'properties is a string', body: probe({ properties: 'total=1' }), status: 400, code: 'invalid_field', field: 'properties' },
  { name: 'context is a string', body: probe({ context: 'ios' }), status: 400, code: 'invalid_field', field: 'context' },
  { name: 'integrations is a number', body: probe({ integrations: 1 }), status: 400, code: 'invalid_field', field: 'integrations' },
  { name: 'event is a number', body: probe({ event: 42 }), status: 400, code: 'invalid_field', field: 'event' },
  { name: 'event name longer than 512 characters', body: probe({ event: 'E'.repeat(513) }), status: 400, code: 'invalid_field', field: 'event' },
  { name: 'messageId is a number', body: probe({ messageId: 7 }), status: 400, code: 'invalid_field', field: 'messageId' },
  { name: 'messageId is empty', body: probe({ messageId: '' }), status: 400, code: 'invalid_field', field: 'messageId' },
  { name: 'traits is a string', path: '/v1/identify', body: { userId: 'u-bad', traits: 'vip' }, status: 400, code: 'invalid_field', field: 'traits' },
  { name: 'page name is a number', path: '/v1/page', body: { userId: 'u-bad', name: 404 }, status: 400, code: 'invalid_field', field: 'name' },
  { name: 'screen category is an object', path: '/v1/screen', body: { userId: 'u-bad', category: {} }, status: 400, code: 'invalid_field', field: 'category' },
  { name: 'groupId is an object', path: '/v1/group', body: { userId: 'u-bad', groupId: { id: 1 } }, status: 400, code: 'invalid_field', field: 'groupId' },
  { name: 'groupId is blank', path: '/v1/group', body: { userId: 'u-bad', groupId: '  ' }, status: 400, code: 'invalid_field', field: 'groupId' },

  // Missing identity and required fields.
  { name: 'neither userId nor anonymousId', body: { event: 'Probe' }, status: 400, code: 'missing_identity', field: 'userId' },
  { name: 'userId and anonymousId both null', body: { userId: null, anonymousId: null, event: 'Probe' }, status: 400, code: 'missing_identity', field: 'userId' },
  { name: 'userId is blank', body: probe({ userId: '   ' }), status: 400, code: 'missing_identity', field: 'userId' },
  { name: 'alias without previousId', path: '/v1/alias', body: { userId: 'u-bad' }, status: 400, code: 'missing_field', field: 'previousId' },
  { name: 'alias without userId', path: '/v1/alias', body: { previousId: 'a-old' }, status: 400, code: 'missing_identity', field: 'userId' },
  { name: 'alias with an empty previousId', path: '/v1/alias', body: { userId: 'u-bad', previousId: '' }, status: 400, code: 'missing_identity', field: 'previousId' },
  { name: 'group without groupId', path: '/v1/group', body: { userId: 'u-bad', traits: {} }, status: 400, code: 'missing_field', field: 'groupId' },
  { name: 'track without event', body: { userId: 'u-bad' }, status: 400, code: 'missing_field', field: 'event' },
  { name: 'track with an empty event name', body: probe({ event: '' }), status: 400, code: 'invalid_field', field: 'event' },

  // Type and endpoint disagree.
  { name: 'type "identify" posted to /v1/track', body: probe({ type: 'identify' }), status: 400, code: 'type_mismatch', field: 'type' },
  { name: 'type "page" posted to the short alias path /v1/a', path: '/v1/a', body: { type: 'page', userId: 'u', previousId: 'p' }, status: 400, code: 'type_mismatch', field: 'type' },

  // Batches.
  { name: 'batch is an object', path: '/v1/batch', body: { batch: { type: 'track' } }, status: 400, code: 'invalid_field', field: 'batch' },
  { name: 'batch is missing', path: '/v1/batch', body: { events: [] }, status: 400, code: 'invalid_field', field: 'batch' },
  { name: 'empty batch', path: '/v1/batch', body: { batch: [] }, status: 400, code: 'empty_batch', field: 'batch' },
  {
    name: 'unknown type in a batch',
    path: '/v1/batch',
    body: { batch: [{ type: 'purchase', ...probe() }] },
    status: 400,
    code: 'invalid_batch',
    field: 'batch[0].type',
    items: ['unknown_type'],
  },
  { name: 'batch item without type', path: '/v1/b', body: { batch: [probe()] }, status: 400, code: 'invalid_batch', field: 'batch[0].type', items: ['missing_field'] },
  { name: 'batch item is a string', path: '/v1/batch', body: { batch: ['track'] }, status: 400, code: 'invalid_batch', field: 'batch[0]', items: ['invalid_field'] },
  {
    name: 'batch whose items are all invalid in different ways',
    path: '/v1/batch',
    body: { batch: [{ type: 'track', userId: 'u-bad' }, { type: 'identify' }, { type: 'page', userId: 'u', timestamp: 'nope' }] },
    status: 400,
    code: 'invalid_batch',
    field: 'batch[0].event',
    items: ['missing_field', 'missing_identity', 'invalid_timestamp'],
  },
  {
    name: 'batch context is a string',
    path: '/v1/batch',
    body: { batch: [{ type: 'track', ...probe() }], context: 'web' },
    status: 400,
    code: 'invalid_field',
    field: 'context',
  },
  {
    name: 'batch sentAt is not a date',
    path: '/v1/batch',
    body: { batch: [{ type: 'track', ...probe() }], sentAt: 'nope' },
    status: 400,
    code: 'invalid_timestamp',
    field: 'sentAt',
  },

  // Deep nesting.
  {
    name: 'properties nested 40 levels deep',
    body: probe({ properties: nested(40) }),
    status: 400,
    code: 'too_deep',
    field: 'properties' + '.a'.repeat(31),
  },
  {
    name: 'arrays nested 40 levels deep',
    body: probe({ properties: { list: nestedArrays(40) } }),
    status: 400,
    code: 'too_deep',
    field: 'properties.list' + '[0]'.repeat(30),
  },

  // Keys that would reach a prototype (sent as raw JSON: an object literal would set the prototype).
  { name: '__proto__ at the top level', body: '{"userId":"u-bad","event":"Probe","__proto__":{"admin":true}}', status: 400, code: 'forbidden_key', field: '__proto__' },
  {
    name: '__proto__ inside properties',
    body: '{"userId":"u-bad","event":"Probe","properties":{"__proto__":{"admin":true}}}',
    status: 400,
    code: 'forbidden_key',
    field: 'properties.__proto__',
  },
  {
    name: '__proto__ written with unicode escapes',
    body: '{"userId":"u-bad","event":"Probe","properties":{"\\u005f_proto__":{"admin":true}}}',
    status: 400,
    code: 'forbidden_key',
    field: 'properties.__proto__',
  },
  {
    name: 'constructor.prototype inside traits',
    path: '/v1/identify',
    body: '{"userId":"u-bad","traits":{"constructor":{"prototype":{"admin":true}}}}',
    status: 400,
    code: 'forbidden_key',
    field: 'traits.constructor',
  },
  {
    name: '__proto__ inside a batch item',
    path: '/v1/batch',
    body: '{"batch":[{"type":"track","userId":"u-bad","event":"Probe","context":{"__proto__":{"x":1}}}]}',
    status: 400,
    code: 'forbidden_key',
    field: 'batch[0].context.__proto__',
  },

  // Dates.
  { name: 'timestamp "nope"', body: probe({ timestamp: 'nope' }), status: 400, code: 'invalid_timestamp', field: 'timestamp' },
  { name: 'timestamp with month 13', body: probe({ timestamp: '2026-13-01' }), status: 400, code: 'invalid_timestamp', field: 'timestamp' },
  { name: 'timestamp on February 30th', body: probe({ timestamp: '2026-02-30T10:00:00Z' }), status: 400, code: 'invalid_timestamp', field: 'timestamp' },
  { name: 'timestamp at hour 25', body: probe({ timestamp: '2026-01-01T25:00:00Z' }), status: 400, code: 'invalid_timestamp', field: 'timestamp' },
  { name: 'timestamp is empty', body: probe({ timestamp: '' }), status: 400, code: 'invalid_timestamp', field: 'timestamp' },
  { name: 'timestamp is epoch milliseconds', body: probe({ timestamp: 1767225600000 }), status: 400, code: 'invalid_field', field: 'timestamp' },
  { name: 'sentAt "yesterday"', body: probe({ sentAt: 'yesterday' }), status: 400, code: 'invalid_timestamp', field: 'sentAt' },
  { name: 'originalTimestamp in US format', body: probe({ originalTimestamp: '1/2/2026' }), status: 400, code: 'invalid_timestamp', field: 'originalTimestamp' },

  // Numbers JSON cannot carry exactly.
  { name: 'number 1e400', body: '{"userId":"u-bad","event":"Probe","properties":{"big":1e400}}', status: 400, code: 'invalid_number', field: 'properties.big' },
  { name: 'number -1e400', body: '{"userId":"u-bad","event":"Probe","properties":{"small":-1e400}}', status: 400, code: 'invalid_number', field: 'properties.small' },
  {
    name: 'integer beyond 2^53 in properties',
    body: '{"userId":"u-bad","event":"Probe","properties":{"orderId":9007199254740993}}',
    status: 400,
    code: 'unsafe_number',
    field: 'properties.orderId',
  },
  { name: 'numeric userId beyond 2^53', body: '{"userId":12345678901234567890,"event":"Probe"}', status: 400, code: 'unsafe_number', field: 'userId' },
];

describe.each(storesUnderTest())('bad input to the tracking API on %s', (store) => {
  let server: TestServer;
  let writeKey: string;
  let disabledKey: string;

  beforeAll(async () => {
    server = await startTestServer({ store });
    ({ writeKey } = await server.createSource('bad input'));
    const disabled = await server.createSource('disabled');
    disabledKey = disabled.writeKey;
    const res = await server.admin(`/v1/sources/${disabled.id}`, { method: 'PATCH', body: JSON.stringify({ enabled: false }) });
    expect(res.status).toBe(200);
    // One stored event, so "nothing stored" compares against a real head of the log.
    expect((await track(server.url, writeKey, '/v1/track', { userId: 'u-seed', event: 'Seed' })).status).toBe(200);
  });
  afterAll(() => server?.close());

  const logHead = async () => {
    const res = await server.admin('/v1/events?limit=1000');
    const page = (await res.json()) as { data: { seq: number }[] };
    return { newest: page.data[0]?.seq, count: page.data.length };
  };

  const authorization = (auth: Auth): Record<string, string> => {
    switch (auth) {
      case 'source':
        return { authorization: basic(writeKey) };
      case 'unknown':
        return { authorization: basic('wk_unknown_0123456789') };
      case 'bearer':
        return { authorization: `Bearer ${writeKey}` };
      case 'disabled':
        return { authorization: basic(disabledKey) };
      case 'none':
        return {};
    }
  };

  const send = (c: BadCase) => {
    const body = typeof c.body === 'string' || c.body instanceof Uint8Array ? c.body : JSON.stringify(c.body);
    return fetch(server.url + (c.path ?? '/v1/track'), {
      method: 'POST',
      headers: {
        ...(c.noContentType ? {} : { 'content-type': 'application/json' }),
        ...authorization(c.auth ?? 'source'),
        ...c.headers,
      },
      body: body as BodyInit,
    });
  };

  it.each(cases)('$name → $status $code, nothing stored', async (c) => {
    const before = await logHead();
    const res = await send(c);
    const body = (await res.json()) as { error: { code: string; message: string; details?: Record<string, unknown> } };
    expect({ status: res.status, code: body.error?.code }).toEqual({ status: c.status, code: c.code });
    expect(body.error.message).toEqual(expect.any(String));
    expect(body.error.message.length).toBeGreaterThan(0);
    if (c.items) {
      const items = body.error.details?.items as { index: number; code: string }[];
      expect(items.map((i) => i.code)).toEqual(c.items);
      expect(items.map((i) => i.index)).toEqual(c.items.map((_, i) => i));
    } else if (c.field) {
      expect(body.error.details?.field).toBe(c.field);
    }
    if (c.field) expect(body.error.message).toContain(c.field);
    if (c.mentions) expect(body.error.message).toContain(c.mentions);
    expect(await logHead()).toEqual(before);
  });

  it('has a corpus of at least 45 distinct cases', () => {
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
    expect(cases.length).toBeGreaterThanOrEqual(45);
  });

  it('still accepts and stores good requests, plain and gzip, after the whole corpus', async () => {
    const before = await logHead();
    const plain = await track(server.url, writeKey, '/v1/track', { userId: 'u-after', event: 'Still Serving' });
    expect(plain.status).toBe(200);
    expect(await plain.json()).toMatchObject({ success: true, accepted: 1 });
    const zipped = await track(
      server.url,
      writeKey,
      '/v1/batch',
      gzipSync(json({ batch: [{ type: 'identify', userId: 'u-after', traits: { plan: 'pro' } }] })),
      gzipped,
    );
    expect(zipped.status).toBe(200);
    const stored = (await (await server.admin('/v1/events?userId=u-after')).json()) as { data: { type: string }[] };
    expect(stored.data.map((e) => e.type)).toEqual(['identify', 'track']);
    expect((await logHead()).count).toBe(before.count + 2);
  });
});
