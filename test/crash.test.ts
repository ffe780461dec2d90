// kill -9 in the middle of a stream of batches loses no acknowledged event and stores none twice:
// a child-process server takes batches from concurrent clients, is SIGKILLed mid-stream, restarted
// on the same store, and what it acknowledged is read back; clients then retry what was not
// acknowledged, as SDKs do, and dedupe keeps every messageId exactly once.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startChildServer, type ChildServer } from './helpers/child-server.js';
import { ADMIN_KEY, basic } from './helpers/server.js';
import { freshPgSchema, pgSchemaUrl, storesUnderTest, type StoreKind } from './helpers/stores.js';

const CLIENTS = 8;
const BATCH_SIZE = 50;
const ROUNDS = 2;
/** Acknowledged batches (over all clients) after which the kill may come, at a random moment. */
const KILL_AFTER_ACKS = 40;

interface Batch {
  messageIds: string[];
  body: string;
}

function makeBatch(prefix: string): Batch {
  const messageIds = Array.from({ length: BATCH_SIZE }, (_, i) => `${prefix}-e${i}`);
  const batch = messageIds.map((messageId, i) => ({
    type: 'track',
    messageId,
    userId: `user-${i % 7}`,
    event: 'Crash Test',
    properties: { index: i, note: 'x'.repeat(100) },
  }));
  return { messageIds, body: JSON.stringify({ batch, sentAt: new Date().toISOString() }) };
}

const postBatch = (url: string, writeKey: string, body: string) =>
  fetch(url + '/v1/batch', { method: 'POST', headers: { authorization: basic(writeKey), 'content-type': 'application/json' }, body });

/** Every messageId the log holds for the source, with how often it occurs (read through the admin API). */
async function storedCounts(url: string, sourceId: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  let cursor: string | null = null;
  do {
    const res = await fetch(`${url}/v1/events?sourceId=${sourceId}&limit=1000${cursor ? `&cursor=${cursor}` : ''}`, {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    expect(res.status).toBe(200);
    const page = (await res.json()) as { data: { messageId: string }[]; next: string | null };
    for (const e of page.data) counts.set(e.messageId, (counts.get(e.messageId) ?? 0) + 1);
    cursor = page.next;
  } while (cursor);
  return counts;
}

/**
 * Clients send batches back to back until the server dies; it is SIGKILLed at a random moment once
 * KILL_AFTER_ACKS batches were acknowledged. Returns the acknowledged and unacknowledged batches.
 */
async function streamUntilKilled(server: ChildServer, writeKey: string, round: number) {
  const acked: Batch[] = [];
  const unacked: Batch[] = [];
  const unexpected: string[] = [];
  const run = randomUUID().slice(0, 8);
  const client = async (c: number) => {
    for (let n = 0; ; n++) {
      const batch = makeBatch(`r${round}-${run}-c${c}-b${n}`);
      let status: number;
      try {
        const res = await postBatch(server.url, writeKey, batch.body);
        status = res.status;
        const body = await res.text().catch(() => '');
        if (status !== 200) unexpected.push(`${status} ${body}`);
      } catch {
        unacked.push(batch); // the connection died with the server: no answer, so no promise was made
        return;
      }
      (status === 200 ? acked : unacked).push(batch);
    }
  };
  const clients = Array.from({ length: CLIENTS }, (_, c) => client(c));
  while (acked.length < KILL_AFTER_ACKS) await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => setTimeout(r, Math.random() * 50));
  await server.kill('SIGKILL');
  await Promise.all(clients);
  expect(unexpected).toEqual([]);
  return { acked, unacked };
}

describe.each(storesUnderTest())('crash safety on %s', (store: StoreKind) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'meridian-crash-'));
  let pg: Awaited<ReturnType<typeof freshPgSchema>> | undefined;
  let server: ChildServer | undefined;

  afterAll(async () => {
    await server?.kill('SIGKILL');
    await pg?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const start = async () => {
    if (store === 'postgres') pg ??= await freshPgSchema();
    const databaseUrl = pg ? pgSchemaUrl(pg.schema) : undefined;
    server = await startChildServer({ dataDir, databaseUrl, adminKey: ADMIN_KEY });
    return server;
  };

  it('keeps every acknowledged event exactly once through SIGKILL and restart, and dedupes the retries', { timeout: 300_000 }, async () => {
    let current = await start();
    const created = await fetch(current.url + '/v1/sources', {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'crash', type: 'server' }),
    });
    expect(created.status).toBe(201);
    const { id: sourceId, writeKey } = (await created.json()) as { id: string; writeKey: string };

    const delivered: Batch[] = []; // acknowledged at some point, so every id must be stored exactly once
    for (let round = 0; round < ROUNDS; round++) {
      const { acked, unacked } = await streamUntilKilled(current, writeKey, round);
      expect(unacked.length).toBeGreaterThan(0);
      delivered.push(...acked);
      current = await start();

      const afterCrash = await storedCounts(current.url, sourceId);
      const lost = delivered.flatMap((b) => b.messageIds).filter((id) => afterCrash.get(id) !== 1);
      expect(lost).toEqual([]);
      expect([...afterCrash].filter(([, n]) => n > 1)).toEqual([]);

      // Retrying what got no answer (some of it was committed before the kill) stores each event once.
      for (const batch of unacked) {
        const res = await postBatch(current.url, writeKey, batch.body);
        expect(res.status).toBe(200);
        const out = (await res.json()) as { accepted: number; duplicates: number };
        expect(out.accepted + out.duplicates).toBe(BATCH_SIZE);
        delivered.push(batch);
      }
      // Resending an acknowledged batch after the crash is acknowledged and stores nothing.
      const again = (await (await postBatch(current.url, writeKey, acked[0].body)).json()) as { accepted: number; duplicates: number };
      expect(again).toMatchObject({ accepted: 0, duplicates: BATCH_SIZE });

      const afterRetry = await storedCounts(current.url, sourceId);
      const expected = new Set(delivered.flatMap((b) => b.messageIds));
      expect([...expected].filter((id) => afterRetry.get(id) !== 1)).toEqual([]);
      expect(afterRetry.size).toBe(expected.size);
      expect([...afterRetry.values()].every((n) => n === 1)).toBe(true);
    }
    await current.kill('SIGTERM');
  });
});
