// The error contract, on every route the server has: generated from the route table (the routes
// the OpenAPI document is built from, plus the unlisted ones), so a route added later is covered
// without a line written for it. Each route is called with malformed bodies (empty, truncated and
// non-object JSON, `__proto__` keys, a wrong type for each schema property, a 2 MB string, 3,000-deep
// nesting, wrong content types) and malformed path values (-1, NUL, ../, an SQL quote, 5,000
// characters), as an authorised caller and as unauthorised ones (no key, a wrong key, a write key
// on an admin route, the admin key on a tracking route). Every answer must come within a few
// seconds (streams: their headers), never be a 5xx, and be, when it is a 4xx, the JSON envelope
// with a code of src/shared/error-codes.ts and one of that code's statuses; a refused request must
// leave the store exactly as it was (a digest of every table before and after, but the audit log,
// which records refused changes by design).
//
// By default each route gets a deterministic sample of its cases (a few seconds in all); set
// MERIDIAN_FUZZ_FULL=1 for every case of every route. Runs on SQLite, and on PostgreSQL too when
// MERIDIAN_TEST_DATABASE_URL is set.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { Value } from '@sinclair/typebox/value';
import type { TSchema } from '@sinclair/typebox';
import { ERROR_CODES, type ErrorCode } from '../src/shared/error-codes.js';
import type { RouteEntry } from '../src/http/route-table.js';
import type { Meridian } from '../src/main.js';
import { ADMIN_KEY, basic, startTestServer, type TestServer } from './helpers/server.js';
import { storesUnderTest } from './helpers/stores.js';
import { FULL_TESTS } from './helpers/scale.js';

const FULL = process.env.MERIDIAN_FUZZ_FULL === '1' || FULL_TESTS;
/** Cases per route in the default (sampled) run. */
const SAMPLE = 6;
const ANSWER_WITHIN_MS = 5_000;

interface Case {
  caller: keyof typeof CALLERS;
  path: string;
  body?: { label: string; data: string | Uint8Array; type?: string; encoding?: string };
  label: string;
}

type Fixture = { sourceId: string; writeKey: string };

const CALLERS = {
  authorised: (route: Route, f: Fixture) => (route.tracking ? basic(f.writeKey) : `Bearer ${ADMIN_KEY}`),
  noKey: () => undefined,
  wrongKey: (route: Route) => (route.tracking ? basic('wk_not-a-key') : 'Bearer not-a-key'),
  // A credential of the other kind: the source write key on an admin route, the admin key on a tracking one.
  otherKind: (route: Route, f: Fixture) => (route.tracking ? basic(ADMIN_KEY) : `Bearer ${f.writeKey}`),
};

const PATH_VALUES = ['-1', '%00', '..%2F..%2Fetc%2Fpasswd', encodeURIComponent("' OR 1=1--"), 'x'.repeat(5000)];

function nested(depth: number) {
  return '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

const BODIES: NonNullable<Case['body']>[] = [
  { label: 'empty JSON', data: '', type: 'application/json' },
  { label: 'truncated JSON', data: '{"name": "x", "type": ', type: 'application/json' },
  { label: 'array', data: '[]', type: 'application/json' },
  { label: 'string', data: '"x"', type: 'application/json' },
  { label: 'number', data: '1', type: 'application/json' },
  { label: 'null', data: 'null', type: 'application/json' },
  { label: '__proto__ key', data: '{"__proto__": {"admin": true}, "name": "x"}', type: 'application/json' },
  { label: 'constructor.prototype key', data: '{"constructor": {"prototype": {"admin": true}}}', type: 'application/json' },
  { label: '2 MB string', data: JSON.stringify('x'.repeat(2 * 1024 * 1024)), type: 'application/json' },
  { label: '3,000-deep nesting', data: nested(3000), type: 'application/json' },
  { label: 'text/plain', data: 'hello', type: 'text/plain' },
  { label: 'form', data: 'a=1&b=2', type: 'application/x-www-form-urlencoded' },
  { label: 'bad content type', data: '{}', type: 'application/json; charset=nonsense; ===' },
  { label: 'binary', data: new Uint8Array([0xff, 0xfe, 0x00, 0x01]), type: 'application/octet-stream' },
  { label: 'no content type', data: '{"a":1}' },
  { label: 'corrupt gzip', data: '{"a":1}', type: 'application/json', encoding: 'gzip' },
  { label: 'CSV with NUL', data: 'userId,campaign,date,spend\nu\u0000,c\u0000,2026-01-01,1\n', type: 'text/csv' },
  { label: 'NDJSON with NUL', data: '{"userId":"u\\u0000","event":"e"}\n', type: 'application/x-ndjson' },
];

/** Bodies made from the route's schema: a wrong type for each property, and NUL, an unpaired
 * surrogate or 10,000 characters in every string of an otherwise valid body. */
function schemaBodies(schema: TSchema | undefined): NonNullable<Case['body']>[] {
  const valid = validBody(schema);
  if (valid === undefined) return [];
  const props = (schema as { properties?: Record<string, { type?: string }> }).properties ?? {};
  const wrong: Record<string, unknown> = { string: { not: 'a string' }, integer: 'many', number: 'many', boolean: 'maybe', array: { not: 'an array' }, object: 'not an object' };
  const json = (data: unknown, label: string) => ({ label, data: typeof data === 'string' ? data : JSON.stringify(data), type: 'application/json' });
  const everyString = (value: string) => {
    const text = JSON.stringify(valid);
    return text.includes('""') ? text.replaceAll('""', JSON.stringify(value)) : JSON.stringify({ ...(valid as object), [value]: value });
  };
  return [
    ...Object.entries(props).map(([name, p]) => json({ ...(valid as object), [name]: wrong[p.type ?? ''] ?? [[['nested']]] }, `wrong type for ${name}`)),
    json(everyString('a\u0000b'), 'NUL in strings'),
    json(everyString('a\ud800b'), 'unpaired surrogate in strings'),
    json(everyString('x'.repeat(10_000)), '10,000-character strings'),
  ];
}

/** The smallest value the body schema accepts (TypeBox builds it), so a case changes one thing. */
function validBody(schema: TSchema | undefined): unknown {
  if (!schema) return undefined;
  try {
    return Value.Create(schema);
  } catch {
    return {};
  }
}

interface Route extends RouteEntry {
  tracking: boolean;
  public: boolean;
  params: string[];
}

function routesOf(m: Meridian): Route[] {
  return m.app.routeTable.routes
    .filter((r) => r.method !== 'HEAD')
    .map((r) => {
      const security = (r.schema as { security?: Record<string, unknown>[] } | undefined)?.security;
      return {
        ...r,
        tracking: !!security?.some((s) => 'writeKey' in s),
        public: (security !== undefined && security.length === 0) || !r.url.startsWith('/v1/'),
        params: [...r.url.matchAll(/:(\w+)/g)].map((x) => x[1]),
      };
    });
}

function casesOf(route: Route, f: Fixture): Case[] {
  const fill = (override?: [string, string]) =>
    route.url.replace(/:(\w+)/g, (_, name: string) =>
      override && override[0] === name ? override[1] : route.url.startsWith('/v1/sources/') || route.url.startsWith('/v1/webhooks/') ? f.sourceId : 'no-such-id',
    );
  const schema = route.schema?.body as TSchema | undefined;
  const valid = validBody(schema);
  const withBody = route.method !== 'GET';
  const defaultBody = withBody && valid !== undefined ? { label: 'valid body', data: JSON.stringify(valid), type: 'application/json' } : undefined;
  const cases: Case[] = [];
  if (withBody) for (const body of [...BODIES, ...schemaBodies(schema)]) cases.push({ caller: 'authorised', path: fill(), body, label: body.label });
  for (const name of route.params)
    for (const value of PATH_VALUES) cases.push({ caller: 'authorised', path: fill([name, value]), body: defaultBody, label: `:${name}=${value.slice(0, 20)}` });
  const query = (route.schema?.querystring as { properties?: Record<string, unknown> } | undefined)?.properties ?? {};
  for (const name of Object.keys(query))
    for (const value of PATH_VALUES) cases.push({ caller: 'authorised', path: `${fill()}?${name}=${value}`, body: defaultBody, label: `?${name}=${value.slice(0, 20)}` });
  if (!route.public)
    for (const caller of ['noKey', 'wrongKey', 'otherKind'] as const) {
      cases.push({ caller, path: fill(), body: defaultBody, label: caller });
      if (withBody) cases.push({ caller, path: fill(), body: BODIES[2], label: `${caller}, array body` });
    }
  return FULL ? cases : sample(cases, `${route.method} ${route.url}`);
}

/** SAMPLE cases of the route, the same ones every run (seeded by the route). */
function sample(cases: Case[], seed: string): Case[] {
  const rank = (c: Case) => createHash('sha1').update(seed + c.caller + c.label).digest().readUInt32BE(0);
  return cases
    .map((c) => [rank(c), c] as const)
    .sort((a, b) => a[0] - b[0])
    .slice(0, SAMPLE)
    .map(([, c]) => c);
}

interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

async function call(s: TestServer, route: Route, c: Case, f: Fixture): Promise<Answer> {
  const auth = CALLERS[c.caller](route, f);
  const headers: Record<string, string> = {};
  if (auth) headers.authorization = auth;
  if (c.body?.type) headers['content-type'] = c.body.type;
  if (c.body?.encoding) headers['content-encoding'] = c.body.encoding;
  const res = await fetch(s.url + c.path, {
    method: route.method,
    headers,
    body: c.body?.data as BodyInit | undefined,
    signal: AbortSignal.timeout(ANSWER_WITHIN_MS),
  });
  // A stream (the live tail) answers its headers at once and never ends: its headers are the answer.
  if (res.headers.get('content-type')?.startsWith('text/event-stream')) {
    await res.body?.cancel();
    return { status: res.status, headers: res.headers, body: null };
  }
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: checked below when it is an error
  }
  return { status: res.status, headers: res.headers, body };
}

/** Tables a refused request is meant to write: the audit log records refused changes by design. */
const RECORDS_REFUSALS = new Set(['audit_log']);

/** A digest of every row of every table: equal digests, equal stored state. */
async function storeDigest(m: Meridian): Promise<string> {
  const db = m.storage.db;
  const hash = createHash('sha256');
  if (m.storage.dialect.name === 'sqlite') {
    const tables = await sql<{ db: string; name: string }>`
      SELECT 'main' AS db, name FROM main.sqlite_master WHERE type = 'table'
      UNION ALL SELECT 'log', name FROM log.sqlite_master WHERE type = 'table' ORDER BY 1, 2`.execute(db);
    for (const t of tables.rows.filter((t) => !RECORDS_REFUSALS.has(t.name))) {
      const rows = await sql<Record<string, unknown>>`SELECT * FROM ${sql.id(t.db, t.name)}`.execute(db);
      hash.update(t.db + '.' + t.name + '\n' + rows.rows.map((r) => JSON.stringify(r)).sort().join('\n'));
    }
  } else {
    const tables = await sql<{ name: string }>`
      SELECT table_name AS name FROM information_schema.tables
      WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1`.execute(db);
    const parts = tables.rows.filter((t) => !RECORDS_REFUSALS.has(t.name)).map((t) => sql`SELECT ${t.name} AS t, md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS h FROM ${sql.id(t.name)} x`);
    const digests = await sql<{ t: string; h: string }>`${sql.join(parts, sql` UNION ALL `)}`.execute(db);
    for (const d of digests.rows.sort((a, b) => a.t.localeCompare(b.t))) hash.update(d.t + d.h);
  }
  return hash.digest('hex');
}

function expectEnvelope(a: Answer, what: string) {
  expect(a.status, `${what}: ${JSON.stringify(a.body).slice(0, 300)}`).toBeLessThan(500);
  if (a.status < 400) return;
  expect(a.headers.get('content-type'), what).toMatch(/^application\/json/);
  const error = a.body?.error;
  expect(error && typeof error.code === 'string' && typeof error.message === 'string', `${what}: envelope, got ${JSON.stringify(a.body).slice(0, 300)}`).toBe(true);
  expect(Object.keys(ERROR_CODES), `${what}: undocumented code ${error.code}`).toContain(error.code);
  expect(ERROR_CODES[error.code as ErrorCode].status as readonly number[], `${what}: ${error.code} with status ${a.status}`).toContain(a.status);
}

describe.each(storesUnderTest())('the error contract on every route (%s)', (store) => {
  let s: TestServer;
  let f: Fixture;
  beforeAll(async () => {
    // No pipeline stage or worker: the store changes only through the requests made here.
    s = await startTestServer({ store, config: { role: 'api' } });
    const source = await s.createSource('fuzzed');
    f = { sourceId: source.id, writeKey: source.writeKey };
  });
  afterAll(async () => {
    await s?.close();
  });

  it('covers every route of the OpenAPI document (the table it is built from)', async () => {
    const doc = (await (await s.admin('/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
    const table = new Set(routesOf(s.meridian).map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`));
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    expect(documented.length).toBeGreaterThan(50);
    expect(documented.filter((r) => !table.has(r))).toEqual([]);
  });

  it(`answers malformed requests on every route with a documented 4xx in the envelope, in time, changing nothing${FULL ? ' (full corpus)' : ''}`, async () => {
    let before = await storeDigest(s.meridian);
    let calls = 0;
    for (const route of routesOf(s.meridian))
      for (const c of casesOf(route, f)) {
        const what = `${route.method} ${c.path.slice(0, 120)} [${c.caller}, ${c.label}]`;
        const answer = await call(s, route, c, f);
        calls++;
        expectEnvelope(answer, what);
        if (!route.public && c.caller !== 'authorised') expect(answer.status, what).toBeGreaterThanOrEqual(400);
        const after = await storeDigest(s.meridian);
        if (answer.status >= 400) expect(after, `${what} was refused (${answer.status}) but changed the store`).toBe(before);
        before = after;
      }
    expect(calls).toBeGreaterThan(FULL ? 1500 : 300);
  }, FULL ? 600_000 : 120_000);
});

/** Sends raw bytes on a fresh connection and returns what the server wrote before closing it. */
function rawExchange(url: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(bytes));
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (c) => (text += c));
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
    socket.setTimeout(ANSWER_WITHIN_MS, () => reject(new Error('no answer in time')));
  });
}

const envelopeOf = (raw: string) => JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as { error: { code: string } };

describe.each(storesUnderTest())('the error contract, case by case (%s)', (store) => {
  let s: TestServer;
  let f: Fixture;
  const api = (method: string, path: string, body?: string, type = 'application/json') =>
    s.admin(path, { method, ...(body === undefined ? {} : { body, headers: { 'content-type': type } }) });
  const answer = async (res: Response) => ({ status: res.status, code: ((await res.json()) as { error?: { code: string } }).error?.code });

  beforeAll(async () => {
    s = await startTestServer({ store, config: { role: 'api' } });
    const source = await s.createSource('cases');
    f = { sourceId: source.id, writeKey: source.writeKey };
  });
  afterAll(async () => {
    await s?.close();
  });

  it('answers the live tail of a source that does not exist 404 source_not_found, before any stream opens', async () => {
    for (const id of ['-1', '..%2F..%2Fetc%2Fpasswd', 'src_does-not-exist', encodeURIComponent("' OR 1=1--")]) {
      const res = await s.admin(`/v1/sources/${id}/live`, { signal: AbortSignal.timeout(ANSWER_WITHIN_MS) });
      expect(res.headers.get('content-type'), id).toMatch(/^application\/json/);
      expect(await answer(res), id).toEqual({ status: 404, code: 'source_not_found' });
    }
    // NUL is refused before any lookup (PostgreSQL cannot even compare it).
    expect(await answer(await s.admin('/v1/sources/%00/live'))).toEqual({ status: 400, code: 'invalid_character' });
    // The tail of a source that exists still streams.
    const live = await s.admin(`/v1/sources/${f.sourceId}/live`, { signal: AbortSignal.timeout(ANSWER_WITHIN_MS) });
    expect(live.status).toBe(200);
    expect(live.headers.get('content-type')).toBe('text/event-stream');
    await live.body?.cancel();
  });

  it('answers a known path with a wrong method 405 method_not_allowed, with Allow', async () => {
    const res = await api('DELETE', '/v1/sources');
    expect(res.headers.get('allow')).toBe('GET, HEAD, POST');
    expect(await res.json()).toMatchObject({ error: { code: 'method_not_allowed', details: { allowed: ['GET', 'HEAD', 'POST'] } } });
    expect(res.status).toBe(405);
    const withParam = await api('PUT', `/v1/sources/${f.sourceId}/live`);
    expect(withParam.status).toBe(405);
    expect(withParam.headers.get('allow')).toBe('GET, HEAD');
    expect(await answer(await api('GET', '/v1/no-such-thing'))).toEqual({ status: 404, code: 'not_found' });
  });

  it('maps routing and parsing errors of the framework to documented codes', async () => {
    expect(await answer(await api('GET', `/v1/sources/${'x'.repeat(5000)}`))).toEqual({ status: 414, code: 'param_too_long' });
    expect(await answer(await api('GET', '/v1/sources/%E0%A4%A'))).toEqual({ status: 400, code: 'invalid_url' });
    expect(await answer(await api('GET', '/v1/events?userId=%00'))).toEqual({ status: 400, code: 'invalid_character' });
    expect(await answer(await api('POST', '/v1/sources', '{"name": "a'))).toEqual({ status: 400, code: 'invalid_json' });
    expect(await answer(await api('POST', '/v1/sources', '{"__proto__": {"x": 1}, "name": "a"}'))).toEqual({ status: 400, code: 'invalid_json' });
    expect(await answer(await api('POST', '/v1/sources', ''))).toEqual({ status: 400, code: 'empty_body' });
    expect(await answer(await api('POST', '/v1/sources', '{"name": "a\\u0000"}'))).toEqual({ status: 400, code: 'invalid_character' });
    expect(await answer(await api('POST', '/v1/sources', '{"name": "a\\ud800"}'))).toEqual({ status: 400, code: 'invalid_character' });
    // A literal backslash before "u0000" is not a NUL; a surrogate pair spelt as escapes is one character.
    expect((await api('POST', '/v1/sources', '{"name": "a\\\\u0000"}')).status).toBe(201);
    expect((await api('POST', '/v1/sources', '{"name": "\\ud83d\\ude00"}')).status).toBe(201);
    expect(await answer(await api('POST', '/v1/sources', JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) })))).toEqual({ status: 413, code: 'payload_too_large' });
    expect(await answer(await api('POST', '/v1/sources', '<a/>', 'application/xml'))).toEqual({ status: 415, code: 'unsupported_media_type' });
    expect(await answer(await api('POST', '/v1/sources', '{"name": "a", "colour": "red"}'))).toEqual({ status: 400, code: 'invalid_field' });
  });

  it('refuses events holding NUL or an unpaired surrogate on the tracking API, keeping the valid items of a batch and the refused ones in failed events', async () => {
    const track = (body: unknown) =>
      fetch(s.url + '/v1/batch', { method: 'POST', headers: { authorization: basic(f.writeKey), 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const res = await track({
      batch: [
        { type: 'track', userId: 'u1', event: 'ok' },
        { type: 'track', userId: 'u1', event: 'nul', messageId: 'm\u0000', properties: { note: 'a\u0000b' } },
        { type: 'track', userId: 'u1', event: 'surrogate', properties: { note: 'a\ud800b' } },
      ],
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 1, rejected: [{ index: 1, code: 'invalid_character' }, { index: 2, code: 'invalid_character' }] });
    const failed = (await (await s.admin(`/v1/failed-events?sourceId=${f.sourceId}`)).json()) as { data: { messageId: string | null; payload: any }[] };
    expect(failed.data.map((e) => e.payload.properties.note).sort()).toEqual(['a\ufffdb', 'a\ufffdb']);
    expect(failed.data.map((e) => e.messageId)).toContain('m\ufffd');
  });

  it('refuses CSV bodies holding NUL (tag import, ad report) instead of failing on the store', async () => {
    expect(await answer(await api('POST', '/v1/tags/vip/import', 'user_id\nu\u0000x\n', 'text/csv'))).toEqual({ status: 400, code: 'invalid_character' });
    const report = 'Day,Campaign ID,Campaign name,Amount spent (USD),Impressions,Link clicks\n2026-01-01,c1,Camp\u0000,1.5,10,1\n';
    expect(await answer(await api('POST', '/v1/ad-reports?platform=meta', report, 'text/csv'))).toEqual({ status: 400, code: 'invalid_character' });
  });

  it('answers HTTP-level errors (malformed request, oversized headers) in the envelope', async () => {
    const garbage = await rawExchange(s.url, 'NOT-HTTP\r\n\r\n');
    expect(garbage).toMatch(/^HTTP\/1\.1 400 /);
    expect(envelopeOf(garbage).error.code).toBe('bad_request');
    const huge = await rawExchange(s.url, `GET /v1/sources HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(huge).toMatch(/^HTTP\/1\.1 431 /);
    expect(envelopeOf(huge).error.code).toBe('header_too_large');
  });

  it('stays up when a client aborts in the middle of a body', async () => {
    await new Promise<void>((resolve) => {
      const req = httpRequest(s.url + '/v1/sources', {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json', 'content-length': '1000' },
      });
      req.on('error', () => resolve());
      req.write('{"name": "half');
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 50);
    });
    expect((await api('GET', '/v1/sources')).status).toBe(200);
  });

  it.each([
    ['POST /v1/identity/rebuild', 202],
    ['POST /v1/segments/recompute', 200],
    ['POST /v1/rfm/recompute', 200],
  ])('%s runs with no body or {}, and refuses any other body without running', async (route, ok) => {
    const path = route.split(' ')[1];
    expect((await s.admin(path, { method: 'POST' })).status).toBe(ok);
    expect((await api('POST', path, '{}')).status).toBe(ok);
    for (const body of ['[]', 'null', '"x"', '1', '{"force": true}'])
      expect(await answer(await api('POST', path, body)), body).toEqual({ status: 400, code: 'invalid_field' });
    expect(await answer(await api('POST', path, 'go', 'text/plain'))).toEqual({ status: 400, code: 'invalid_field' });
    expect(await answer(await api('POST', path, JSON.stringify('x'.repeat(2 * 1024 * 1024))))).toEqual({ status: 413, code: 'payload_too_large' });
  });

  it('lists every error code in docs/api.md, with its statuses', () => {
    const doc = readFileSync(new URL('../docs/api.md', import.meta.url), 'utf8');
    const rows = new Map([...doc.matchAll(/^\| `([a-z_]+)` \| ([0-9, ]+) \|/gm)].map((m) => [m[1], m[2].split(', ').map(Number)]));
    const expected = new Map(Object.entries(ERROR_CODES).map(([code, e]) => [code, [...e.status]]));
    expect(Object.fromEntries(rows)).toEqual(Object.fromEntries(expected));
  });
});
