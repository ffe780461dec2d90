// The durability contract of the two kinds of transaction: ordinary ones (the event log, config)
// commit at full durability; derived-state ones (pipeline stages) relax only their own commit.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStorage, type Storage } from './index.js';
import { freshPgSchema, pgUrl, storesUnderTest } from '../../test/helpers/stores.js';

describe.each(storesUnderTest())('transaction durability on %s', (kind) => {
  let storage: Storage;
  let cleanup: () => Promise<void> | void;
  beforeAll(async () => {
    if (kind === 'postgres') {
      const { schema, drop } = await freshPgSchema();
      storage = await openStorage({ dataDir: '', databaseUrl: pgUrl, pgSchema: schema });
      cleanup = drop;
    } else {
      const dir = mkdtempSync(join(tmpdir(), 'meridian-durability-'));
      storage = await openStorage({ dataDir: dir });
      cleanup = () => rmSync(dir, { recursive: true, force: true });
    }
  });
  afterAll(async () => {
    await storage.close();
    await cleanup();
  });

  // SQLite: 2 = FULL (fsync per commit), 1 = NORMAL. PostgreSQL: synchronous_commit on/off.
  const level = async (trx: Parameters<Parameters<Storage['dialect']['derivedTransaction']>[1]>[0] | Storage['db']) =>
    kind === 'sqlite'
      ? String((await sql<{ synchronous: number }>`PRAGMA synchronous`.execute(trx)).rows[0].synchronous)
      : (await sql<{ synchronous_commit: string }>`SHOW synchronous_commit`.execute(trx)).rows[0].synchronous_commit;
  const full = kind === 'sqlite' ? '2' : 'on';
  const relaxed = kind === 'sqlite' ? '1' : 'off';

  it('relaxes a derived-state commit and only that one', async () => {
    expect(await level(storage.db)).toBe(full);
    const inside = await storage.dialect.derivedTransaction(storage.db, (trx) => level(trx));
    expect(inside).toBe(relaxed);
    expect(await level(storage.db)).toBe(full);
    expect(await storage.db.transaction().execute((trx) => level(trx))).toBe(full);
  });

  it('restores full durability after a derived-state transaction fails', async () => {
    await expect(
      storage.dialect.derivedTransaction(storage.db, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await level(storage.db)).toBe(full);
    expect(await storage.db.transaction().execute((trx) => level(trx))).toBe(full);
  });
});
