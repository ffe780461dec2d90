// kill -9 of the server while people wait in a journey loses and doubles nothing: a child-process
// server runs a two-message journey (a webhook at entry, another 3 s later) for N people, is SIGKILLed
// while sends are going out and waits are pending, and restarts on the same store. Every person then
// got each message exactly once — one idempotency key per (person, step), repeats of an attempt cut
// short by the kill carrying the same key — and every wait fired once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startFakeWebhook } from './fakes/webhook.js';
import { startChildServer, type ChildServer } from './helpers/child-server.js';
import { eventually } from './helpers/eventually.js';
import { bySize } from './helpers/scale.js';
import { ADMIN_KEY, basic } from './helpers/server.js';
import { freshPgSchema, pgSchemaUrl, storesUnderTest } from './helpers/stores.js';

const PEOPLE = bySize(10_000, 150);
const SECRET = 'whsec_journey_crash_0123';

const admin = async (server: ChildServer, path: string, body?: unknown) => {
  const res = await fetch(server.url + path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe.each(storesUnderTest())('journeys survive kill -9 on %s', (store) => {
  it(`sends each of ${PEOPLE} people both messages exactly once across a SIGKILL and a restart`, { timeout: 300_000 }, async () => {
    const hook = await startFakeWebhook(SECRET, { delayMs: 5 });
    const dataDir = mkdtempSync(join(tmpdir(), 'meridian-journey-crash-'));
    const pg = store === 'postgres' ? await freshPgSchema() : undefined;
    const databaseUrl = pg ? pgSchemaUrl(pg.schema) : undefined;
    const start = () => startChildServer({ dataDir, databaseUrl, adminKey: ADMIN_KEY });
    let server = await start();
    try {
      const d = await admin(server, '/v1/destinations', {
        name: 'Hook', kind: 'events', connector: 'webhook', config: { url: hook.url }, secrets: { signingSecret: SECRET }, filter: { events: [] },
        delivery: { concurrency: 8, leaseMs: 1_500, baseBackoffMs: 50, maxBackoffMs: 500 },
      });
      expect(d.status).toBe(201);
      const j = await admin(server, '/v1/journeys', {
        name: 'two messages',
        definition: {
          version: 1,
          trigger: { type: 'event', event: 'Joined' },
          steps: [
            { id: 'first', type: 'send', channel: 'webhook', destinationId: d.body.id, message: { data: { n: '1' } }, next: 'pause' },
            { id: 'pause', type: 'wait', duration: { amount: 3, unit: 'seconds' }, next: 'second' },
            { id: 'second', type: 'send', channel: 'webhook', destinationId: d.body.id, message: { data: { n: '2' } }, next: 'end' },
            { id: 'end', type: 'exit' },
          ],
        },
      });
      expect(j.status, JSON.stringify(j.body)).toBe(201);
      expect((await admin(server, `/v1/journeys/${j.body.id}/activate`, {})).status).toBe(200);
      const source = (await admin(server, '/v1/sources', { name: 'crash', type: 'server' })).body as { writeKey: string };
      for (let i = 0; i < PEOPLE; i += 500) {
        const batch = Array.from({ length: Math.min(500, PEOPLE - i) }, (_, k) => ({ type: 'track', userId: `u${i + k}`, event: 'Joined' }));
        const res = await fetch(server.url + '/v1/batch', { method: 'POST', headers: { authorization: basic(source.writeKey), 'content-type': 'application/json' }, body: JSON.stringify({ batch }) });
        expect(res.status).toBe(200);
      }
      // Kill while first messages are still going out (and every second message is a pending wait).
      await eventually(() => expect(hook.accepted.length).toBeGreaterThanOrEqual(Math.min(50, PEOPLE / 5)), 120_000, 5);
      await server.kill('SIGKILL');
      const before = hook.accepted.length;
      expect(before).toBeLessThan(2 * PEOPLE);

      server = await start();
      const keys = () => new Set(hook.accepted.map((r) => String(r.headers['idempotency-key'])));
      await eventually(() => expect(keys().size).toBe(2 * PEOPLE), 240_000, 100);

      const byKey = new Map<string, unknown>();
      for (const r of hook.accepted) {
        const key = String(r.headers['idempotency-key']);
        const body = r.json as { profileId: string; stepId: string; message: Record<string, string> };
        expect(key).toBe(`journey:${j.body.id}:1:${body.profileId}:1:${body.stepId}`);
        if (byKey.has(key)) expect(body).toEqual(byKey.get(key)); // a repeat is the same message, recognisable by its key
        else byKey.set(key, body);
      }
      const perProfile = new Map<string, string[]>();
      for (const body of byKey.values()) {
        const b = body as { profileId: string; stepId: string };
        perProfile.set(b.profileId, [...(perProfile.get(b.profileId) ?? []), b.stepId]);
      }
      expect(perProfile.size).toBe(PEOPLE);
      for (const steps of perProfile.values()) expect(steps.sort()).toEqual(['first', 'second']);
      const stats = (await admin(server, `/v1/journeys/${j.body.id}/stats`)).body as { entered: number; completed: number; sent: number };
      expect(stats).toMatchObject({ entered: PEOPLE, completed: PEOPLE, sent: 2 * PEOPLE });
    } finally {
      await server.kill('SIGKILL');
      await hook.close();
      await pg?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
