// Per-request log lines at the default level: tracking and decision calls (one per page view or app
// event) write none at `info`, every other route does; at `debug` the tracking calls are logged too.
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestServer, track, type TestServer } from './helpers/server.js';

async function serverLogging(logLevel: 'info' | 'debug') {
  const lines: { msg?: string; req?: { url?: string; method?: string }; level: number }[] = [];
  const logStream = new PassThrough();
  logStream.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line));
  });
  const server = await startTestServer({ config: { logLevel }, deps: { logStream } });
  return { server, lines };
}

const incoming = (lines: { msg?: string; req?: { url?: string; method?: string } }[], url: string, method = 'POST') =>
  lines.filter((l) => l.msg === 'incoming request' && l.req?.url === url && l.req.method === method);

describe('request logging', () => {
  const servers: TestServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.close();
  });

  it('at info: no line per tracking call (accepted or refused), a line per admin call', async () => {
    const { server, lines } = await serverLogging('info');
    servers.push(server);
    const { writeKey } = await server.createSource('web');
    expect((await track(server.url, writeKey, '/v1/track', { userId: 'u-log', event: 'Logged' })).status).toBe(200);
    expect((await track(server.url, writeKey, '/v1/t', { userId: 'u-log', event: 'Logged' })).status).toBe(200);
    expect((await track(server.url, 'wrong-key', '/v1/track', { userId: 'u-log', event: 'Logged' })).status).toBe(401);
    expect((await server.admin('/v1/sources')).status).toBe(200);
    await new Promise((r) => setImmediate(r));
    expect(incoming(lines, '/v1/track')).toHaveLength(0);
    expect(incoming(lines, '/v1/t')).toHaveLength(0);
    expect(incoming(lines, '/v1/sources', 'GET')).toHaveLength(1);
  });

  it('at debug: tracking calls are logged like every route', async () => {
    const { server, lines } = await serverLogging('debug');
    servers.push(server);
    const { writeKey } = await server.createSource('web');
    expect((await track(server.url, writeKey, '/v1/track', { userId: 'u-log', event: 'Logged' })).status).toBe(200);
    await new Promise((r) => setImmediate(r));
    expect(incoming(lines, '/v1/track')).toHaveLength(1);
  });
});
