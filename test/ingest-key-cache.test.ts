// The tracking path caches write-key lookups (and the decoding of the Basic header): a key revoked or
// a source disabled after the key was used must still take effect at once in the process that changed it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, track, type TestServer } from './helpers/server.js';
import { basicUser } from '../src/ingest/basic-auth.js';

describe('write-key cache', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  const send = (key: string) => track(server.url, key, '/v1/track', { userId: 'u-cache', event: 'E' });

  it('refuses a key revoked after it was used, and keeps accepting the source\'s other key', async () => {
    const s = await server.createSource('cached');
    const added = (await (await server.admin(`/v1/sources/${s.id}/write-keys`, { method: 'POST' })).json()) as { writeKey: string; writeKeys: { id: string }[] };
    for (let i = 0; i < 3; i++) {
      expect((await send(s.writeKey)).status).toBe(200);
      expect((await send(added.writeKey)).status).toBe(200);
    }
    expect((await server.admin(`/v1/sources/${s.id}/write-keys/${added.writeKeys[0].id}`, { method: 'DELETE' })).status).toBeLessThan(300);
    const refused = await send(s.writeKey);
    expect(refused.status).toBe(401);
    expect((await refused.json()).error.code).toBe('invalid_write_key');
    expect((await send(added.writeKey)).status).toBe(200);
  });

  it('refuses every key of a source disabled after its keys were used, and accepts them again once re-enabled', async () => {
    const s = await server.createSource('cached, disabled');
    expect((await send(s.writeKey)).status).toBe(200);
    await server.admin(`/v1/sources/${s.id}`, { method: 'PATCH', body: JSON.stringify({ enabled: false }) });
    const refused = await send(s.writeKey);
    expect(refused.status).toBe(403);
    expect((await refused.json()).error.code).toBe('source_disabled');
    await server.admin(`/v1/sources/${s.id}`, { method: 'PATCH', body: JSON.stringify({ enabled: true }) });
    expect((await send(s.writeKey)).status).toBe(200);
  });

  it('decodes a Basic header the same way whether it was seen before or not', () => {
    const header = 'Basic ' + Buffer.from('wk_abc:').toString('base64');
    expect(basicUser(header)).toBe('wk_abc');
    expect(basicUser(header)).toBe('wk_abc');
    for (const bad of ['Bearer wk_abc', 'Basic ' + Buffer.from(':').toString('base64'), 'Basic', '']) {
      expect(basicUser(bad)).toBeUndefined();
      expect(basicUser(bad)).toBeUndefined();
    }
    expect(basicUser(undefined)).toBeUndefined();
    // Many distinct headers (a client inventing one per call) still decode correctly past the bound.
    for (let i = 0; i < 2_500; i++) expect(basicUser('Basic ' + Buffer.from(`wk_${i}:`).toString('base64'))).toBe(`wk_${i}`);
    expect(basicUser(header)).toBe('wk_abc');
  });
});
