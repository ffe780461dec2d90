// Time-based exits are durable: stop the server in the middle of scheduled exits, move the clock
// past several of them while it is down, start again on the same data — each due exit happens
// exactly once, and none that is not yet due.
import { afterEach, describe, expect, test } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../src/shared/clock.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { freshPgSchema, storesUnderTest } from './helpers/stores.js';
import { segmentsHarness } from './helpers/segments.js';

const DAY = 86_400_000;

describe.each(storesUnderTest())('segment timers across restarts (%s)', (store) => {
  let server: TestServer | undefined;
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    await server?.close();
    for (const c of cleanup.splice(0)) await c();
  });

  test('no scheduled exit is missed or doubled when the server was down at its time', async () => {
    const clock = new ManualClock();
    const dataDir = mkdtempSync(join(tmpdir(), 'meridian-seg-restart-'));
    cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const pg = store === 'postgres' ? await freshPgSchema() : undefined;
    if (pg) cleanup.push(pg.drop);
    const start = () => startTestServer({ store, clock, dataDir, pgSchema: pg?.schema });

    server = await start();
    const { writeKey } = await server.createSource();
    let h = segmentsHarness(server, clock, writeKey);
    const seg = await h.createSegment({ version: 1, root: { type: 'event', event: 'Order Completed', window: { last: { amount: 10, unit: 'days' } } } });
    for (const u of ['u1', 'u2', 'u3', 'u4']) {
      await h.trackAs(u, 'Order Completed');
      clock.advance(DAY);
    }
    const profiles = await Promise.all(['u1', 'u2', 'u3', 'u4'].map((u) => h.profileOf(u)));
    // Day 4: everyone is in. u1 is due out at day 10, u2 at 11, u3 at 12, u4 at 13.
    clock.set(clock.now() + 6 * DAY - DAY / 2); // day 9.5
    await h.advance(0);
    expect(await h.memberIds(seg.id)).toEqual([...profiles].sort());
    await server.close();
    server = undefined;

    clock.advance(2 * DAY); // day 11.5: u1 and u2 are due while the server is down
    server = await start();
    h = segmentsHarness(server, clock, writeKey);
    await h.advance(0);
    await h.advance(0);
    expect(await h.memberIds(seg.id)).toEqual([profiles[2], profiles[3]].sort());
    await h.advance(2 * DAY); // day 13.5: the rest leave on time
    expect(await h.memberIds(seg.id)).toEqual([]);
    const changes = await h.changes(seg.id);
    for (const p of profiles) expect(changes.filter((c) => c.profileId === p).map((c) => c.kind)).toEqual(['entered', 'exited']);
    const timers = await server.meridian.storage.db.selectFrom('segment_timers').selectAll().execute();
    expect(timers).toEqual([]);
  });
});
