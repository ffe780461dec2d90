// The messageId dedupe window lives in the store, not in memory: a retry that reaches a restarted
// server (same data directory or PostgreSQL schema) is acknowledged and stored once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/shared/clock.js';
import { startTestServer, track, type TestServer } from './helpers/server.js';
import { freshPgSchema, storesUnderTest } from './helpers/stores.js';

describe.each(storesUnderTest())('dedupe across a restart on %s', (store) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'meridian-dedupe-'));
  const clock = new ManualClock(Date.parse('2026-03-01T12:00:00Z'));
  let pg: Awaited<ReturnType<typeof freshPgSchema>> | undefined;
  let server: TestServer | undefined;

  const restart = async () => {
    await server?.close();
    if (store === 'postgres') pg ??= await freshPgSchema();
    server = await startTestServer({ store, clock, dataDir, pgSchema: pg?.schema, config: { dedupeWindowMs: 24 * 3600_000 } });
    return server;
  };
  const storedIds = async (s: TestServer, userId: string) =>
    ((await (await s.admin(`/v1/events?userId=${userId}`)).json()) as { data: { messageId: string }[] }).data.map((e) => e.messageId);

  afterAll(async () => {
    await server?.close();
    await pg?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('acknowledges a duplicate sent after a restart within the window and stores it once', async () => {
    let s = await restart();
    const { writeKey } = await s.createSource('retrying sdk');
    const batch = {
      batch: [
        { type: 'track', userId: 'u-restart', event: 'Paid', messageId: 'm-restart-1' },
        { type: 'identify', userId: 'u-restart', traits: { plan: 'pro' }, messageId: 'm-restart-2' },
      ],
    };
    expect(await (await track(s.url, writeKey, '/v1/batch', batch)).json()).toMatchObject({ accepted: 2, duplicates: 0 });

    clock.advance(23 * 3600_000);
    s = await restart();
    const again = await track(s.url, writeKey, '/v1/batch', batch);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ success: true, accepted: 0, duplicates: 2 });
    const single = await track(s.url, writeKey, '/v1/track', batch.batch[0]);
    expect(await single.json()).toMatchObject({ accepted: 0, duplicates: 1 });
    expect((await storedIds(s, 'u-restart')).sort()).toEqual(['m-restart-1', 'm-restart-2']);
  });

  it('accepts the same messageId again once the window has passed, also across a restart', async () => {
    let s = await restart();
    const { writeKey } = await s.createSource('late retry');
    const event = { userId: 'u-window', event: 'Viewed', messageId: 'm-window' };
    expect(await (await track(s.url, writeKey, '/v1/track', event)).json()).toMatchObject({ accepted: 1 });

    clock.advance(25 * 3600_000);
    s = await restart();
    expect(await (await track(s.url, writeKey, '/v1/track', event)).json()).toMatchObject({ accepted: 1, duplicates: 0 });
    expect(await storedIds(s, 'u-window')).toEqual(['m-window', 'm-window']);
  });
});
