// kill -9 of the server while deliveries are in flight loses nothing: a child-process server forwards
// events to a slow webhook, is SIGKILLed mid-stream and restarted on the same store; every event is
// then delivered (at least once, repeats carrying the same Idempotency-Key), first deliveries in
// order per person.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startFakeWebhook } from './fakes/webhook.js';
import { startChildServer, type ChildServer } from './helpers/child-server.js';
import { eventually } from './helpers/eventually.js';
import { ADMIN_KEY, basic } from './helpers/server.js';
import { freshPgSchema, pgSchemaUrl, storesUnderTest } from './helpers/stores.js';

const USERS = 30;
const PER_USER = 10;
const SECRET = 'whsec_crash_0123456789';

const admin = (server: ChildServer, path: string, body?: unknown) =>
  fetch(server.url + path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

describe.each(storesUnderTest())('destinations survive kill -9 on %s', (store) => {
  it('delivers every event after a SIGKILL mid-delivery and a restart', { timeout: 180_000 }, async () => {
    const hook = await startFakeWebhook(SECRET, { delayMs: 40 });
    const dataDir = mkdtempSync(join(tmpdir(), 'meridian-dst-crash-'));
    const pg = store === 'postgres' ? await freshPgSchema() : undefined;
    const databaseUrl = pg ? pgSchemaUrl(pg.schema) : undefined;
    const start = () => startChildServer({ dataDir, databaseUrl, adminKey: ADMIN_KEY });
    let server = await start();
    try {
      const created = await admin(server, '/v1/destinations', {
        name: 'Hook', kind: 'events', connector: 'webhook', config: { url: hook.url }, secrets: { signingSecret: SECRET },
        filter: { events: ['Step'] }, mapping: { user: 'userId', n: 'properties.n' },
        delivery: { concurrency: 4, leaseMs: 1_500, baseBackoffMs: 50, maxBackoffMs: 500 },
      });
      expect(created.status).toBe(201);
      const source = (await (await admin(server, '/v1/sources', { name: 'crash', type: 'server' })).json()) as { writeKey: string };
      for (let n = 0; n < PER_USER; n++) {
        const batch = Array.from({ length: USERS }, (_, u) => ({ type: 'track', userId: `u${u}`, event: 'Step', properties: { n } }));
        const res = await fetch(server.url + '/v1/batch', { method: 'POST', headers: { authorization: basic(source.writeKey), 'content-type': 'application/json' }, body: JSON.stringify({ batch }) });
        expect(res.status).toBe(200);
      }
      await eventually(() => expect(hook.accepted.length).toBeGreaterThanOrEqual(40), 60_000, 5);
      await server.kill('SIGKILL');
      const beforeRestart = hook.accepted.length;
      expect(beforeRestart).toBeLessThan(USERS * PER_USER);

      server = await start();
      await eventually(() => expect(new Set(hook.accepted.map((r) => r.headers['idempotency-key'])).size).toBe(USERS * PER_USER), 90_000, 50);

      const first = new Map<string, { user: string; n: number }>();
      for (const r of hook.accepted) {
        const key = String(r.headers['idempotency-key']);
        if (!first.has(key)) first.set(key, r.json as { user: string; n: number });
        else expect(r.json).toEqual(first.get(key)); // a repeat is the same delivery, recognisable by its key
      }
      const byUser = new Map<string, number[]>();
      for (const e of first.values()) byUser.set(e.user, [...(byUser.get(e.user) ?? []), e.n]);
      for (let u = 0; u < USERS; u++) expect(byUser.get(`u${u}`)).toEqual([...Array(PER_USER).keys()]);
    } finally {
      await server.kill('SIGKILL');
      await hook.close();
      await pg?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
