// `meridian start` runs the pipeline stages in a thread of their own (src/pipeline/host.ts): a child
// server resolves identities and evaluates segments there, reports those stages as running in its
// health, and, SIGKILLed in the middle of a stream of batches, loses nothing: after a restart every
// acknowledged event reaches its profile exactly once and segment membership is complete.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startChildServer, type ChildServer } from './helpers/child-server.js';
import { ADMIN_KEY, basic } from './helpers/server.js';
import { freshPgSchema, pgSchemaUrl, storesUnderTest, type StoreKind } from './helpers/stores.js';

const USERS = 6;
const CLIENTS = 4;
const BATCH_SIZE = 40;
const KILL_AFTER_ACKS = 20;

interface Batch {
  messageIds: { id: string; user: string }[];
  body: string;
}

function makeBatch(prefix: string): Batch {
  const messageIds = Array.from({ length: BATCH_SIZE }, (_, i) => ({ id: `${prefix}-e${i}`, user: `u${i % USERS}` }));
  const batch = messageIds.map(({ id, user }) => ({ type: 'track', messageId: id, userId: user, event: 'Page Read', properties: { n: id } }));
  return { messageIds, body: JSON.stringify({ batch }) };
}

const until = async <T>(what: string, read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 90_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe.each(storesUnderTest())('pipeline thread of meridian start on %s', (store: StoreKind) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'meridian-pipeline-thread-'));
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

  it('resolves identities and segments in the thread, and survives kill -9', { timeout: 300_000 }, async () => {
    let current = await start();
    const api = async (path: string, init: RequestInit = {}) => {
      const res = await fetch(current.url + path, { ...init, headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json', ...init.headers } });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    };
    const created = await api('/v1/sources', { method: 'POST', body: JSON.stringify({ name: 'thread', type: 'server' }) });
    expect(created.status).toBe(201);
    const writeKey = created.body.writeKey as string;
    const send = (path: string, body: string) =>
      fetch(current.url + path, { method: 'POST', headers: { authorization: basic(writeKey), 'content-type': 'application/json' }, body });
    const segment = await api('/v1/segments', {
      method: 'POST',
      body: JSON.stringify({ name: 'readers', rule: { version: 1, root: { type: 'event', event: 'Page Read', window: { last: { amount: 30, unit: 'days' } } } } }),
    });
    expect(segment.status).toBe(201);

    // Identity: an anonymous visitor who then logs in is one profile, with both events on its timeline.
    expect((await send('/v1/track', JSON.stringify({ anonymousId: 'anon-1', event: 'Page Read', messageId: 'first-read' }))).status).toBe(200);
    expect((await send('/v1/identify', JSON.stringify({ anonymousId: 'anon-1', userId: 'u0', traits: { email: 'u0@example.com' }, messageId: 'login' }))).status).toBe(200);
    const timeline = await until(
      'the stitched timeline',
      () => api('/v1/profiles/email/u0@example.com/events?limit=10'),
      (r) => r.status === 200 && r.body.data.length === 2,
    );
    expect(timeline.body.data.map((e: { messageId: string }) => e.messageId).sort()).toEqual(['first-read', 'login']);
    const profile = await api('/v1/profiles/user_id/u0');
    const profileId = profile.body.id as string;
    expect((await api('/v1/profiles/anonymous_id/anon-1')).body.id).toBe(profileId);
    await until('the segment membership', () => api(`/v1/segment-memberships/${profileId}`), (r) => r.body?.data?.some((m: { segmentId: string }) => m.segmentId === segment.body.id));

    // The stages run in the thread, and the API thread's health report says so.
    const health = await until('stages reported running', () => api('/v1/pipeline/health'), (r) => r.body.stages.every((s: { running: boolean }) => s.running));
    expect(health.body.stages.map((s: { stage: string }) => s.stage)).toContain('identity');

    // kill -9 in the middle of a stream of batches, while the thread resolves them.
    const acked: Batch[] = [];
    let n = 0;
    const client = async (c: number) => {
      for (;;) {
        const batch = makeBatch(`c${c}-b${n++}`);
        try {
          const res = await send('/v1/batch', batch.body);
          await res.text();
          if (res.status === 200) acked.push(batch);
        } catch {
          return; // the server died: no answer, no promise
        }
      }
    };
    const clients = Array.from({ length: CLIENTS }, (_, c) => client(c));
    await until('acknowledged batches', async () => acked.length, (k) => k >= KILL_AFTER_ACKS);
    await current.kill('SIGKILL');
    await Promise.all(clients);

    current = await start();
    const expected = new Map<string, Set<string>>();
    for (const b of acked) for (const { id, user } of b.messageIds) (expected.get(user) ?? expected.set(user, new Set()).get(user)!).add(id);
    for (const [user, ids] of expected) {
      const stored = await until(
        `every acknowledged event of ${user} on its profile`,
        async () => {
          const seen: string[] = [];
          let cursor: string | null = null;
          do {
            const page = await api(`/v1/profiles/user_id/${user}/events?limit=500&event=Page%20Read${cursor ? `&cursor=${cursor}` : ''}`);
            if (page.status !== 200) return seen;
            seen.push(...page.body.data.map((e: { messageId: string }) => e.messageId));
            cursor = page.body.next;
          } while (cursor);
          return seen;
        },
        (seen) => [...ids].every((id) => seen.includes(id)),
      );
      // Exactly once: no event applied twice by the restarted stages.
      expect(stored.length).toBe(new Set(stored).size);
      const pid = (await api(`/v1/profiles/user_id/${user}`)).body.id as string;
      await until(`${user} in the segment`, () => api(`/v1/segment-memberships/${pid}`), (r) => r.body?.data?.some((m: { segmentId: string }) => m.segmentId === segment.body.id));
    }
    await current.kill('SIGTERM');
  });
});
