// The database briefly unavailable sets nothing aside and loses nothing: stages retry transient
// errors with backoff and resume where they were. PostgreSQL: every connection of the server is
// terminated (pg_terminate_backend) in the middle of stage transactions, several times in a row —
// more than the attempts an item gets before it is set aside. The test seam only times the kill
// (it runs inside the stage transaction); the failure is the server's.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeWebhook } from './fakes/webhook.js';
import type { FakeServer } from './fakes/fake-server.js';
import { eventually } from './helpers/eventually.js';
import { startTestServer, type TestServer, basic } from './helpers/server.js';
import { freshPgSchema, pgUrl } from './helpers/stores.js';

const SECRET = 'whsec_transient_0123456789';
const USERS = 4;
const PER_USER = 2;
/** Per stage, one per attempt in a row: as many as halving the 8-event batch to one item (4) and retrying it (2 more) take to set it aside. */
const KILLS_PER_STAGE = 6;
const PG_MODULE = createRequire(import.meta.url).resolve('pg');

/** Terminates every connection with this application name, synchronously (the stage transaction waits meanwhile). */
function terminateConnections(appName: string): number {
  const script = `const pg = require(${JSON.stringify(PG_MODULE)}); const c = new pg.Client({ connectionString: process.env.URL });
    c.connect().then(() => c.query('SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE application_name = $1', [process.env.APP]))
      .then((r) => { process.stdout.write(String(r.rows[0].n)); return c.end(); });`;
  return Number(execFileSync(process.execPath, ['-e', script], { env: { ...process.env, URL: pgUrl, APP: appName } }).toString());
}

describe.skipIf(!pgUrl)('transient database errors on postgres', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  it('keeps retrying while its connections are killed: nothing is set aside, every event reaches the end of the pipeline', async () => {
    const pgSchema = await freshPgSchema();
    cleanup.push(pgSchema.drop);
    // Its own application name, so only this server's connections are killed.
    const appName = `meridian_${pgSchema.schema}`;
    const url = new URL(pgUrl!);
    url.searchParams.set('application_name', appName);
    const kills = new Map<string, number>();
    let inBatch = false;
    // API role: the backlog is written first, then the stages start.
    const server: TestServer = await startTestServer({
      store: 'postgres',
      pgSchema: pgSchema.schema,
      config: { role: 'api', databaseUrl: url.toString() },
      deps: {
        stageFault: (stage) => {
          // Once per attempt: the seam is called for each item of a batch in one synchronous loop.
          if (!['identity', 'destinations:events'].includes(stage) || (kills.get(stage) ?? 0) >= KILLS_PER_STAGE || inBatch) return;
          inBatch = true;
          queueMicrotask(() => (inBatch = false));
          expect(terminateConnections(appName)).toBeGreaterThan(0);
          kills.set(stage, (kills.get(stage) ?? 0) + 1);
        },
      },
    });
    cleanup.push(() => server.close());
    const hook: FakeServer = await startFakeWebhook(SECRET);
    cleanup.push(() => hook.close());
    const created = await server.admin('/v1/destinations', {
      method: 'POST',
      body: JSON.stringify({ name: 'Hook', kind: 'events', connector: 'webhook', config: { url: hook.url }, secrets: { signingSecret: SECRET }, filter: { events: ['Step'] }, delivery: { baseBackoffMs: 20, maxBackoffMs: 200 } }),
    });
    expect(created.status).toBe(201);
    const { writeKey } = await server.createSource();
    for (let n = 0; n < PER_USER; n++) {
      const batch = Array.from({ length: USERS }, (_, u) => ({ type: 'track', userId: `u${u}`, event: 'Step', properties: { n } }));
      const res = await fetch(server.url + '/v1/batch', { method: 'POST', headers: { authorization: basic(writeKey), 'content-type': 'application/json' }, body: JSON.stringify({ batch }) });
      expect(res.status).toBe(200);
    }

    for (const s of server.meridian.stages) s.start();
    for (const w of server.meridian.workers) w.start();

    await eventually(() => expect(new Set(hook.accepted.map((r) => r.headers['idempotency-key'])).size).toBe(USERS * PER_USER), 60_000, 50);
    const api = async (path: string) => (await (await server.admin(path)).json()) as any;
    await eventually(async () => {
      const health = await api('/v1/pipeline/health');
      for (const s of health.stages) expect(s, s.stage).toMatchObject({ lag: 0, setAside: 0, consecutiveFailures: 0 });
    }, 30_000);
    expect(Object.fromEntries(kills)).toEqual({ identity: KILLS_PER_STAGE, 'destinations:events': KILLS_PER_STAGE });
    expect((await api('/v1/pipeline/failures')).data).toEqual([]);
    const profile = await api('/v1/profiles/user_id/u3/events?limit=100');
    expect(profile.data).toHaveLength(PER_USER);
  });
});
