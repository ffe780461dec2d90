// Source health: events received per hour over the last 24 h, last seen, and failures by stage and
// code, read through GET /v1/sources/:id/health.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/shared/clock.js';
import { startTestServer, track, type TestServer } from './helpers/server.js';
import { storesUnderTest } from './helpers/stores.js';

interface Health {
  sourceId: string;
  lastSeenAt: string | null;
  eventsLast24h: number;
  hourly: { hour: string; events: number }[];
  errorsLast24h: number;
  errors: { stage: string; code: string; count: number }[];
}

describe.each(storesUnderTest())('source health (%s)', (store) => {
  const start = Date.UTC(2026, 2, 1, 10, 30);
  const clock = new ManualClock(start);
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ store, clock });
  });
  afterAll(async () => {
    await server?.close();
  });

  const health = async (id: string) => (await (await server.admin(`/v1/sources/${id}/health`)).json()) as Health;
  const send = (writeKey: string, n: number) =>
    track(server.url, writeKey, '/v1/batch', { batch: Array.from({ length: n }, (_, i) => ({ type: 'track', userId: `u${i}`, event: 'Ping' })) });

  it('counts events per hour, the last time the source was seen and failures by code', async () => {
    const source = await server.createSource('pos');
    const other = await server.createSource('other');
    expect((await send(source.writeKey, 3)).status).toBe(200);
    expect((await send(other.writeKey, 5)).status).toBe(200);
    clock.advance(2 * 3600_000); // 12:30
    expect((await send(source.writeKey, 2)).status).toBe(200);
    // One invalid item in a batch is kept in failed events (stage ingest) with its code.
    const partial = await track(server.url, source.writeKey, '/v1/batch', { batch: [{ type: 'track', userId: 'u1', event: 'Ping' }, { type: 'track', event: 'No one' }] });
    expect(partial.status).toBe(200);
    clock.advance(15 * 60_000); // 12:45

    const h = await health(source.id);
    expect(h.eventsLast24h).toBe(6);
    expect(h.lastSeenAt).toBe('2026-03-01T12:30:00.000Z');
    expect(h.hourly).toHaveLength(24);
    expect(h.hourly[23]).toEqual({ hour: '2026-03-01T12:00:00.000Z', events: 3 });
    expect(h.hourly[21]).toEqual({ hour: '2026-03-01T10:00:00.000Z', events: 3 });
    expect(h.hourly.filter((b) => b.events > 0)).toHaveLength(2);
    expect(h.errorsLast24h).toBe(1);
    expect(h.errors).toMatchObject([{ stage: 'ingest', code: 'missing_identity', count: 1 }]);

    // A day later the hours have rolled out of the window, but the source is still remembered as seen.
    clock.advance(24 * 3600_000);
    const later = await health(source.id);
    expect(later.eventsLast24h).toBe(0);
    expect(later.errorsLast24h).toBe(0);
    expect(later.lastSeenAt).toBe('2026-03-01T12:30:00.000Z');
  });

  it('answers 404 for an unknown source and an empty health for a silent one', async () => {
    expect((await server.admin('/v1/sources/src_nope/health')).status).toBe(404);
    const quiet = await server.createSource('quiet');
    expect(await health(quiet.id)).toMatchObject({ lastSeenAt: null, eventsLast24h: 0, errorsLast24h: 0, errors: [] });
  });
});
