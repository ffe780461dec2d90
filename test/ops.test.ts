// Operating Meridian: health and readiness, Prometheus metrics, the OpenAPI document, the live tail
// for a source's debugger, and a graceful shutdown that still commits and answers in-flight requests.
import { request as httpRequest } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, startTestServer, track, type TestServer } from './helpers/server.js';
import { freshPgSchema, storesUnderTest } from './helpers/stores.js';

describe.each(storesUnderTest())('operations on %s', (store) => {
  let server: TestServer;
  let source: { id: string; writeKey: string };

  beforeAll(async () => {
    server = await startTestServer({ store });
    source = await server.createSource('ops');
  });
  afterAll(() => server?.close());

  it('answers 200 on /healthz and /readyz once listening', async () => {
    const health = await fetch(server.url + '/healthz');
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(server.url + '/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  // The first tracking traffic on this server, so the counts are exact.
  it('exposes accepted and rejected event counts and the ack latency histogram on /metrics', async () => {
    const metricsSource = await server.createSource('metrics');
    const ok = await track(server.url, metricsSource.writeKey, '/v1/batch', {
      batch: [
        { type: 'track', userId: 'u-metrics', event: 'A' },
        { type: 'identify', userId: 'u-metrics' },
        { type: 'track', userId: 'u-metrics' },
      ],
    });
    expect(ok.status).toBe(200);
    expect((await track(server.url, metricsSource.writeKey, '/v1/page', { name: 'No one' })).status).toBe(400);
    expect((await track(server.url, metricsSource.writeKey, '/v1/track', '{"userId":')).status).toBe(400);

    const res = await fetch(server.url + '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    const sample = (name: string) => {
      const line = text.split('\n').find((l) => l.startsWith(name + ' '));
      return line === undefined ? undefined : Number(line.slice(name.length + 1));
    };
    expect(sample(`meridian_events_accepted_total{source_id="${metricsSource.id}"}`)).toBe(2);
    expect(sample('meridian_events_rejected_total{code="missing_field"}')).toBe(1);
    expect(sample('meridian_events_rejected_total{code="missing_identity"}')).toBe(1);
    expect(sample('meridian_events_rejected_total{code="invalid_json"}')).toBe(1);
    expect(text).toMatch(/^# TYPE meridian_ingest_ack_seconds histogram$/m);
    // One acknowledged request so far on this server: the batch (rejections are not acks).
    expect(sample('meridian_ingest_ack_seconds_count')).toBe(1);
    expect(sample('meridian_ingest_ack_seconds_bucket{le="+Inf"}')).toBe(sample('meridian_ingest_ack_seconds_count'));
  });

  it('serves a valid OpenAPI 3 document listing the tracking, sources and events paths', async () => {
    const res = await fetch(server.url + '/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as OpenApiDoc;
    expect(openApiProblems(doc)).toEqual([]);
    for (const path of ['/v1/track', '/v1/identify', '/v1/page', '/v1/screen', '/v1/group', '/v1/alias', '/v1/batch'])
      expect(doc.paths[path]?.post, path).toBeDefined();
    expect(doc.paths['/v1/sources']?.post).toBeDefined();
    expect(doc.paths['/v1/events']?.get).toBeDefined();
    expect(doc.paths['/v1/batch'].post.security).toEqual([{ writeKey: [] }]);
    expect(doc.components?.securitySchemes?.writeKey).toMatchObject({ type: 'http', scheme: 'basic' });
  });

  it('streams an event posted after connecting to the live tail of its source, and only that source', async () => {
    const other = await server.createSource('other');
    expect((await track(server.url, source.writeKey, '/v1/track', { userId: 'u-live', event: 'Before Connecting' })).status).toBe(200);
    expect((await fetch(server.url + `/v1/sources/${source.id}/live`)).status).toBe(401);

    const abort = new AbortController();
    const res = await server.admin(`/v1/sources/${source.id}/live`, { signal: abort.signal });
    try {
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/event-stream');
      const frames = sseFrames(res.body!);
      expect((await frames.next()).value).toMatchObject({ comment: expect.stringContaining('live tail') });

      expect((await track(server.url, other.writeKey, '/v1/track', { userId: 'u-live', event: 'Other Source' })).status).toBe(200);
      const posted = await track(server.url, source.writeKey, '/v1/track', { userId: 'u-live', event: 'After Connecting', messageId: 'm-live-1' });
      expect(posted.status).toBe(200);

      let frame = (await withTimeout(frames.next(), 5_000)).value;
      while (frame?.comment !== undefined) frame = (await withTimeout(frames.next(), 5_000)).value;
      expect(frame).toMatchObject({ event: 'message' });
      const data = JSON.parse(frame!.data!);
      expect(data).toMatchObject({ sourceId: source.id, messageId: 'm-live-1', type: 'track', message: { event: 'After Connecting' } });
      expect(Number(frame!.id)).toBe(data.seq);
    } finally {
      abort.abort();
    }
  });
});

describe('graceful shutdown with a live tail open', () => {
  it('ends open live tails so close() does not wait for the debugger to disconnect', async () => {
    const server = await startTestServer();
    const { id } = await server.createSource('tail');
    const abort = new AbortController();
    try {
      const res = await server.admin(`/v1/sources/${id}/live`, { signal: abort.signal });
      const frames = sseFrames(res.body!);
      expect((await frames.next()).value).toMatchObject({ comment: expect.stringContaining('live tail') });
      const closed = server.close().then(() => 'closed');
      // Left alone, close() would wait for as long as the client stays connected.
      expect(await withTimeout(closed, 10_000)).toBe('closed');
      // The stream ends cleanly for the client (an EventSource would reconnect to the next server).
      expect(await withTimeout(frames.next(), 1_000)).toMatchObject({ done: true });
    } finally {
      abort.abort();
    }
  });
});

describe.each(storesUnderTest())('graceful shutdown on %s', (store) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'meridian-shutdown-'));
  let pg: Awaited<ReturnType<typeof freshPgSchema>> | undefined;
  afterAll(async () => {
    await pg?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 200 to a request in flight when close() starts, and its event is in the store after a restart', async () => {
    // The same data dir (or PostgreSQL schema) is reopened by a second server, so the test owns both.
    pg = store === 'postgres' ? await freshPgSchema() : undefined;
    const first = await startTestServer({ store, dataDir, pgSchema: pg?.schema });
    const { writeKey } = await first.createSource('shutdown');

    const body = Buffer.from(JSON.stringify({ userId: 'u-shutdown', event: 'In Flight', messageId: 'm-in-flight' }));
    const arrived = new Promise<void>((resolve) => first.meridian.app.server.once('request', () => resolve()));
    const req = httpRequest(first.url + '/v1/track', {
      method: 'POST',
      headers: { authorization: basic(writeKey), 'content-type': 'application/json', 'content-length': String(body.length) },
    });
    const response = new Promise<{ status: number; connection?: string; text: string }>((resolve, reject) => {
      req.on('response', (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, text }));
      });
      req.on('error', reject);
    });
    // Half the body now: the server has the request but cannot finish it until the rest arrives.
    req.write(body.subarray(0, 10));
    await arrived;

    const closing = first.close();
    await new Promise((r) => setTimeout(r, 50));
    // New requests are turned away (connection refused, or 503 on a kept-alive connection) ...
    expect(String(await fetch(first.url + '/readyz').then((r) => r.status, () => 'refused'))).toMatch(/^(refused|503)$/);
    // ... while the one already in flight completes.
    req.end(body.subarray(10));

    const answer = await response;
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toMatchObject({ success: true, accepted: 1 });
    // The client's keep-alive socket must not hold the shutdown open until its idle timeout.
    expect(answer.connection).toBe('close');
    await closing;

    const second = await startTestServer({ store, dataDir, pgSchema: pg?.schema });
    try {
      const page = (await (await second.admin('/v1/events?userId=u-shutdown')).json()) as { data: { messageId: string }[] };
      expect(page.data.map((e) => e.messageId)).toEqual(['m-in-flight']);
    } finally {
      await second.close();
    }
  });
});

interface OpenApiDoc {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, any>>;
  components?: { securitySchemes?: Record<string, any>; schemas?: Record<string, unknown> };
  security?: Record<string, string[]>[];
}

const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/** The OpenAPI 3.0 rules a generator can break: version, info, operations with responses, declared
 * path parameters, security schemes that exist, and $refs that resolve. */
function openApiProblems(doc: OpenApiDoc): string[] {
  const problems: string[] = [];
  if (!/^3\.\d+\.\d+$/.test(doc.openapi)) problems.push(`openapi version ${doc.openapi}`);
  if (typeof doc.info?.title !== 'string' || typeof doc.info?.version !== 'string') problems.push('info.title/version');
  const schemes = new Set(Object.keys(doc.components?.securitySchemes ?? {}));
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    if (!path.startsWith('/')) problems.push(`${path}: must start with /`);
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    for (const [method, op] of Object.entries(item)) {
      if (!METHODS.has(method)) continue;
      const where = `${method.toUpperCase()} ${path}`;
      const codes = Object.keys(op.responses ?? {});
      if (codes.length === 0) problems.push(`${where}: no responses`);
      for (const code of codes) {
        if (!/^([1-5](\d\d|XX)|default)$/.test(code)) problems.push(`${where}: response key ${code}`);
        if (typeof op.responses[code].description !== 'string') problems.push(`${where}: response ${code} has no description`);
      }
      const pathParams = new Set<string>((op.parameters ?? []).filter((p: any) => p.in === 'path' && p.required === true).map((p: any) => p.name));
      for (const name of templated) if (!pathParams.has(name)) problems.push(`${where}: path parameter ${name} not declared as required`);
      for (const requirement of op.security ?? doc.security ?? [])
        for (const name of Object.keys(requirement)) if (!schemes.has(name)) problems.push(`${where}: unknown security scheme ${name}`);
    }
  }
  const walk = (node: unknown, at: string) => {
    if (Array.isArray(node)) node.forEach((n, i) => walk(n, `${at}/${i}`));
    else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if (k === '$ref' && typeof v === 'string' && resolvePointer(doc, v) === undefined) problems.push(`${at}: $ref ${v} does not resolve`);
        walk(v, `${at}/${k}`);
      }
    }
  };
  walk(doc, '#');
  return problems;
}

function resolvePointer(doc: unknown, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  return ref
    .slice(2)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<any>((node, key) => (node === undefined ? undefined : node[key]), doc);
}

interface SseFrame {
  comment?: string;
  event?: string;
  id?: string;
  data?: string;
}

/** Splits a Server-Sent Events stream into frames (blank-line separated). */
async function* sseFrames(stream: ReadableStream<Uint8Array>): AsyncGenerator<SseFrame> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const frame: SseFrame = {};
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) frame.comment = line.slice(1).trim();
        else {
          const i = line.indexOf(':');
          const field = line.slice(0, i) as 'event' | 'id' | 'data';
          frame[field] = line.slice(i + 1).replace(/^ /, '');
        }
      }
      yield frame;
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`nothing within ${ms} ms`)), ms))),
  ]).finally(() => clearTimeout(timer));
}
