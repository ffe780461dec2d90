// The Stage contract under failures, on the embedded store: a poison item is found inside a large
// batch, set aside with the position moved past it, every other item applied exactly once; a
// transient error is retried until it clears, reported once, and sets nothing aside.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStorage, type Storage } from '../storage/index.js';
import { Stage, type Feed, type StageFailureContext } from './stage.js';
import { listStageFailures, stageItems } from './stage-failures.js';

const ITEMS = 100;
/** The items 1..100 at positions 1..100: a feed is only an ordered read, whatever produces it. */
const numbers: Feed<number> = {
  readAfter: async (position, limit) => Array.from({ length: Math.max(0, Math.min(limit, ITEMS - position)) }, (_, i) => ({ position: position + i + 1, item: position + i + 1 })),
  head: async () => ITEMS,
};

describe('Stage fault isolation', () => {
  let storage: Storage;
  let dir: string;
  afterEach(async () => {
    await storage?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const open = async () => {
    dir = mkdtempSync(join(tmpdir(), 'meridian-stage-'));
    storage = await openStorage({ dataDir: dir });
  };

  it('sets the one poison item of a batch aside and applies every other item exactly once', async () => {
    await open();
    const applied: number[] = [];
    const reports: StageFailureContext[] = [];
    let poisoned = true;
    const stage = new Stage<number>({
      name: 'test',
      db: storage.db,
      dialect: storage.dialect,
      feed: numbers,
      batchSize: 64,
      itemKey: (n) => `n${n}`,
      onError: (_err, context) => reports.push(context),
      async apply(_trx, items) {
        if (poisoned && items.some((i) => i.item === 37)) throw new Error('37 is poison');
        // Only what commits counts: collected after the checks, in the transaction's success path.
        applied.push(...items.map((i) => i.item));
      },
    });
    expect(await stage.drain()).toBe(ITEMS);
    expect(applied.sort((a, b) => a - b)).toEqual(Array.from({ length: ITEMS }, (_, i) => i + 1).filter((n) => n !== 37));
    expect(await Stage.position(storage.db, 'test')).toBe(ITEMS);
    const failures = await listStageFailures(storage.db, stageItems(storage.dialect, undefined), { stage: 'test' });
    expect(failures.data).toMatchObject([{ position: 37, itemKey: 'n37', item: 37, error: '37 is poison', attempts: 3, status: 'open' }]);
    expect(stage.status).toMatchObject({ setAside: 1, consecutiveFailures: 0 });
    // Reported when it first fails alone and when it is set aside: not on every attempt or poll.
    expect(reports.map((r) => [r.position, r.attempt ?? null, r.setAside ?? false])).toEqual([
      [37, 1, false],
      [37, null, true],
    ]);

    // Rewound (as an identity rebuild does) once the cause is gone: the item is applied and no longer open.
    poisoned = false;
    await storage.db.updateTable('stage_offsets').set({ position: 0 }).where('stage', '=', 'test').execute();
    expect(await stage.drain()).toBe(ITEMS);
    expect(applied.filter((n) => n === 37)).toHaveLength(1);
    expect((await listStageFailures(storage.db, stageItems(storage.dialect, undefined), { stage: 'test' })).data).toMatchObject([{ position: 37, status: 'replayed' }]);
  });

  it('retries a transient error until it clears, reporting it once and setting nothing aside', async () => {
    await open();
    let failuresLeft = 4;
    const applied: number[] = [];
    const reports: StageFailureContext[] = [];
    const stage = new Stage<number>({
      name: 'test',
      db: storage.db,
      dialect: storage.dialect,
      feed: numbers,
      onError: (_err, context) => reports.push(context),
      async apply(_trx, items) {
        if (failuresLeft-- > 0) throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
        applied.push(...items.map((i) => i.item));
      },
    });
    stage.start();
    const deadline = Date.now() + 20_000;
    while (applied.length < ITEMS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await stage.stop();
    expect(applied).toEqual(Array.from({ length: ITEMS }, (_, i) => i + 1));
    expect(reports).toMatchObject([{ stage: 'test', transient: true }]);
    expect((await listStageFailures(storage.db, stageItems(storage.dialect, undefined), {})).data).toEqual([]);
  });
});
