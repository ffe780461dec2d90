// One item that makes a stage throw every time no longer stops the pipeline: the stage retries it a
// bounded number of times, sets it aside with its stage, position, error and content, and moves on;
// a replay after the fix applies it exactly once. The poison is injected through createMeridian's
// test seam (stageFault), keyed on the log event it comes from (or, for database sync, the row).
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeMeta, type FakeMeta } from './fakes/meta.js';
import { startFakeWebhook } from './fakes/webhook.js';
import type { FakeServer } from './fakes/fake-server.js';
import { eventually } from './helpers/eventually.js';
import { startTestServer, track, type TestServer } from './helpers/server.js';
import { storesUnderTest } from './helpers/stores.js';
import { SecretBox } from '../src/shared/secret-box.js';

const SECRET = 'whsec_fault_0123456789';
const USERS = 10;
const POISONED_USER = 'u4';

/** The log event an item of each stage comes from. */
const eventSeqOf: Record<string, (item: any) => number | null> = {
  identity: (item) => item.event.seq,
  segments: (item) => item.event_seq,
  'destinations:events': (item) => item.seq,
};

describe.each(storesUnderTest())('fault isolation of the pipeline stages on %s', (store) => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  for (const stage of Object.keys(eventSeqOf))
    it(`sets a poison item of the ${stage} stage aside after bounded retries, processes everything after it, and a replay applies it once`, async () => {
      let poison: number | null = null;
      const attempts: number[] = [];
      // API role: nothing runs until the poison is armed (below), so the stage meets it on its first batch.
      const server: TestServer = await startTestServer({
        store,
        config: { role: 'api' },
        deps: {
          stageFault: (name, position, item) => {
            if (name !== stage || poison === null || eventSeqOf[stage](item) !== poison) return;
            attempts.push(position);
            throw new Error('poison item: cannot be applied');
          },
        },
      });
      cleanup.push(() => server.close());
      const hook: FakeServer = await startFakeWebhook(SECRET);
      cleanup.push(() => hook.close());
      const api = async (path: string, method = 'GET', body?: unknown) => {
        const res = await server.admin(path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
        return { status: res.status, body: (await res.json()) as any };
      };
      expect((await api('/v1/destinations', 'POST', { name: 'Hook', kind: 'events', connector: 'webhook', config: { url: hook.url }, secrets: { signingSecret: SECRET }, filter: { events: ['Step'] } })).status).toBe(201);
      const segment = await api('/v1/segments', 'POST', { name: 'Stepped', rule: { version: 1, root: { type: 'event', event: 'Step' } } });
      expect(segment.status).toBe(201);

      const { writeKey } = await server.createSource();
      for (let u = 0; u < USERS; u++) expect((await track(server.url, writeKey, '/v1/track', { userId: `u${u}`, event: 'Step', messageId: `m-u${u}` })).status).toBe(200);
      poison = (await api(`/v1/events?userId=${POISONED_USER}`)).body.data[0].seq as number;
      for (const s of server.meridian.stages) s.start();
      for (const w of server.meridian.workers) w.start();

      // Set aside once, after the bounded retries; the rest of the pipeline went on.
      const failures = await eventually(async () => {
        const list = await api(`/v1/pipeline/failures?stage=${stage}`);
        expect(list.body.data).toHaveLength(1);
        return list.body.data;
      });
      expect(failures[0]).toMatchObject({ stage, status: 'open', attempts: 3, code: 'stage_error', error: 'poison item: cannot be applied' });
      expect(new Set(attempts).size).toBe(1);
      expect(attempts.filter((p) => p === failures[0].position).length).toBeGreaterThanOrEqual(3);
      const others = Array.from({ length: USERS }, (_, u) => `u${u}`).filter((u) => u !== POISONED_USER);
      await eventually(async () => {
        const health = await api('/v1/pipeline/health');
        for (const s of health.body.stages) expect(s, s.stage).toMatchObject({ lag: 0 });
        expect(health.body.stages.find((s: any) => s.stage === stage)).toMatchObject({ setAside: 1 });
      });
      const delivered = () => hook.accepted.map((r) => (r.json as { userId: string }).userId);
      await eventually(() => expect(delivered().sort()).toEqual(expect.arrayContaining(others)));
      // The health's per-stage lags are read one after another, not as one snapshot: wait for the profiles too.
      await eventually(async () => {
        for (const u of others) expect((await api(`/v1/profiles/user_id/${u}`)).body.segments, u).toEqual([segment.body.id]);
      });
      const poisoned = await api(`/v1/profiles/user_id/${POISONED_USER}`);
      if (stage === 'identity') expect(poisoned.status).toBe(404);
      if (stage === 'segments') expect(poisoned.body.segments).toEqual([]);
      if (stage === 'destinations:events') expect(delivered()).not.toContain(POISONED_USER);
      const metrics = await (await fetch(server.url + '/metrics')).text();
      expect(metrics).toContain(`meridian_stage_items_set_aside_total{stage="${stage}"} 1`);
      expect(metrics).toContain(`meridian_stage_failures_open{stage="${stage}"} 1`);

      // Still failing: the replay says so and the item stays open.
      const early = await api(`/v1/pipeline/failures/${failures[0].id}/replay`, 'POST');
      expect(early.status).toBe(409);
      expect(early.body.error.code).toBe('replay_failed');

      // Fixed: the replay applies it, once.
      poison = null;
      const replay = await api(`/v1/pipeline/failures/${failures[0].id}/replay`, 'POST');
      expect(replay.status, JSON.stringify(replay.body)).toBe(200);
      expect(replay.body).toMatchObject({ status: 'replayed' });
      expect((await api(`/v1/pipeline/failures/${failures[0].id}/replay`, 'POST')).body.error.code).toBe('already_replayed');
      await eventually(async () => expect((await api(`/v1/profiles/user_id/${POISONED_USER}`)).body.segments).toEqual([segment.body.id]));
      const timeline = await api(`/v1/profiles/user_id/${POISONED_USER}/events`);
      expect(timeline.body.data).toHaveLength(1);
      await eventually(() => expect(delivered().filter((u) => u === POISONED_USER)).toHaveLength(1));
      await new Promise((r) => setTimeout(r, 300));
      expect(delivered().sort()).toEqual(Array.from({ length: USERS }, (_, u) => `u${u}`).sort());
      expect((await api(`/v1/pipeline/failures?stage=${stage}&status=open`)).body.data).toHaveLength(0);
    });
});

describe.each(storesUnderTest())('fault isolation of audience sync on %s', (store) => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  it('sets a poison membership change aside, syncs the others to Meta, and a replay adds that member once', async () => {
    let poison: number | null = null;
    const server = await startTestServer({
      store,
      config: { role: 'api' },
      deps: {
        stageFault: (name, _position, item) => {
          if (name === 'destinations:audiences' && poison !== null && (item as { trigger_seq: number | null }).trigger_seq === poison) throw new Error('poison change');
        },
      },
    });
    cleanup.push(() => server.close());
    const meta: FakeMeta = await startFakeMeta({ token: 'meta-token', audiences: ['2385'] });
    cleanup.push(() => meta.close());
    const api = async (path: string, method = 'GET', body?: unknown) => {
      const res = await server.admin(path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      return { status: res.status, body: (await res.json()) as any };
    };
    const segment = await api('/v1/segments', 'POST', { name: 'VIP', rule: { version: 1, root: { type: 'trait', path: 'plan', op: 'equals', value: 'vip' } } });
    expect(segment.status).toBe(201);
    const dest = await api('/v1/destinations', 'POST', {
      name: 'Meta VIPs', kind: 'audience', connector: 'meta', config: { apiBaseUrl: meta.url }, secrets: { accessToken: 'meta-token' }, segments: { [segment.body.id]: '2385' },
    });
    expect(dest.status).toBe(201);
    const { writeKey } = await server.createSource();
    for (let u = 0; u < USERS; u++) expect((await track(server.url, writeKey, '/v1/identify', { userId: `u${u}`, traits: { email: `u${u}@example.com`, plan: 'vip' } })).status).toBe(200);
    poison = (await api(`/v1/events?userId=${POISONED_USER}`)).body.data[0].seq as number;
    for (const s of server.meridian.stages) s.start();
    for (const w of server.meridian.workers) w.start();

    const emails = () => [...meta.audiences.get('2385')!.values()].map((row) => row.EMAIL);
    const hashed = (u: string) => createHash('sha256').update(`${u}@example.com`).digest('hex');
    const failures = await eventually(async () => {
      const list = await api('/v1/pipeline/failures?stage=destinations:audiences');
      expect(list.body.data).toHaveLength(1);
      return list.body.data;
    });
    expect(failures[0]).toMatchObject({ status: 'open', attempts: 3, error: 'poison change', item: { kind: 'entered', trigger_seq: poison } });
    await eventually(() => expect(emails()).toHaveLength(USERS - 1));
    expect(emails()).not.toContain(hashed(POISONED_USER));

    poison = null;
    expect((await api(`/v1/pipeline/failures/${failures[0].id}/replay`, 'POST')).body).toMatchObject({ status: 'replayed' });
    await eventually(() => expect(emails()).toContain(hashed(POISONED_USER)));
    const adds = meta.accepted.filter((r) => r.method === 'POST' && r.body.includes(hashed(POISONED_USER)));
    expect(adds).toHaveLength(1);
  });
});

const pgSourceUrl = process.env.MERIDIAN_TEST_DATABASE_URL;

describe.skipIf(!pgSourceUrl).each(storesUnderTest())('fault isolation of database sync (a source connector) into %s', (store) => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });
  /** A customers table (c-1 … c-n) in a schema of its own in the source PostgreSQL; returns the schema. */
  async function customerTable(rows: number) {
    const schema = `sync_${randomBytes(5).toString('hex')}`;
    const source = new pg.Client({ connectionString: pgSourceUrl });
    await source.connect();
    cleanup.push(async () => {
      await source.query(`DROP SCHEMA ${schema} CASCADE`);
      await source.end();
    });
    await source.query(`CREATE SCHEMA ${schema}`);
    await source.query(`CREATE TABLE ${schema}.customers (id SERIAL PRIMARY KEY, customer_ref TEXT, email TEXT, updated_at TIMESTAMPTZ(6) NOT NULL)`);
    for (let i = 1; i <= rows; i++) await source.query(`INSERT INTO ${schema}.customers (customer_ref, email, updated_at) VALUES ($1, $2, $3)`, [`c-${i}`, `c${i}@example.com`, `2026-01-05 10:00:0${i}`]);
    return schema;
  }

  it('sets a row the log keeps refusing aside after bounded retries, syncs the rows after it, and a replay ingests it once', async () => {
    const schema = await customerTable(6);

    let poisoned = true;
    const attempts: number[] = [];
    const server = await startTestServer({
      store,
      deps: {
        stageFault: (name, position, item) => {
          if (!name.startsWith('db_sync:') || !poisoned || (item as { userId?: string }).userId !== 'c-3') return;
          attempts.push(position);
          throw new Error('poison row: cannot be ingested');
        },
      },
    });
    cleanup.push(() => server.close());
    const { id: sourceId } = await server.createSource('crm', { type: 'crm' });
    const api = async (path: string, method = 'GET', body?: unknown) => {
      const res = await server.admin(path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      return { status: res.status, body: (await res.json()) as any };
    };
    const put = await api(`/v1/sources/${sourceId}/db-sync`, 'PUT', {
      connectionUrl: pgSourceUrl,
      table: `${schema}.customers`,
      cursor: { column: 'updated_at', idColumn: 'id' },
      batchSize: 10,
      intervalSeconds: 3600,
      mapping: { kind: 'identify', userIdColumn: 'customer_ref', columns: { email: 'email' } },
    });
    expect(put.status).toBe(200);
    expect((await api(`/v1/sources/${sourceId}/db-sync/run`, 'POST')).status).toBe(200);
    const synced = async () => (await server.meridian.log.readAfter(0, 1000, sourceId)).map((e) => e.userId);

    const stage = `db_sync:${sourceId}`;
    const failures = (await api(`/v1/pipeline/failures?stage=${encodeURIComponent(stage)}`)).body.data;
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ stage, position: 3, itemKey: 'c-3', status: 'open', attempts: 3, code: 'db_sync_error', error: 'poison row: cannot be ingested', item: { userId: 'c-3', traits: { email: 'c3@example.com' } } });
    expect(attempts.filter((p) => p === 3).length).toBeGreaterThanOrEqual(3);
    expect(await synced()).toEqual(['c-1', 'c-2', 'c-4', 'c-5', 'c-6']);
    // The cursor moved past it: a later run reads nothing again.
    expect((await api(`/v1/sources/${sourceId}/db-sync/run`, 'POST')).body).toMatchObject({ rows: 0 });

    const early = await api(`/v1/pipeline/failures/${failures[0].id}/replay`, 'POST');
    expect(early).toMatchObject({ status: 409, body: { error: { code: 'replay_failed' } } });
    poisoned = false;
    const replay = await api(`/v1/pipeline/failures/${failures[0].id}/replay`, 'POST');
    expect(replay.status, JSON.stringify(replay.body)).toBe(200);
    expect(replay.body).toMatchObject({ status: 'replayed' });
    expect((await api(`/v1/pipeline/failures/${failures[0].id}/replay`, 'POST')).body.error.code).toBe('already_replayed');
    expect(await synced()).toEqual(['c-1', 'c-2', 'c-4', 'c-5', 'c-6', 'c-3']);
  });

  it('marks a source whose secret cannot be opened errored (API, metrics) while another syncs, and a new secret fixes it', async () => {
    const schema = await customerTable(1);
    const server = await startTestServer({ store });
    cleanup.push(() => server.close());
    const settings = {
      connectionUrl: pgSourceUrl,
      table: `${schema}.customers`,
      cursor: { column: 'updated_at', idColumn: 'id' },
      intervalSeconds: 3600,
      mapping: { kind: 'identify', userIdColumn: 'customer_ref', columns: {} },
    };
    const setUp = async (name: string) => {
      const { id } = await server.createSource(name, { type: 'crm' });
      expect((await server.admin(`/v1/sources/${id}/db-sync`, { method: 'PUT', body: JSON.stringify(settings) })).status).toBe(200);
      return id;
    };
    const broken = await setUp('broken');
    const healthy = await setUp('healthy');
    const foreign = new SecretBox(Buffer.alloc(32, 9)).seal(pgSourceUrl!);
    await server.meridian.storage.db.updateTable('source_connectors').set({ secret: foreign }).where('source_id', '=', broken).execute();

    expect((await server.admin(`/v1/sources/${broken}/db-sync/run`, { method: 'POST' })).status).toBe(500);
    expect((await server.admin(`/v1/sources/${healthy}/db-sync/run`, { method: 'POST' })).status).toBe(200);
    expect((await server.meridian.log.readAfter(0, 10, healthy)).map((e) => e.userId)).toEqual(['c-1']);
    const view = (await (await server.admin(`/v1/sources/${broken}/db-sync`)).json()) as { lastError: string };
    expect(view.lastError).toMatch(/cannot be decrypted/);
    const metrics = await (await fetch(server.url + '/metrics')).text();
    expect(metrics).toContain(`meridian_source_connector_errored{source_id="${broken}",kind="db_sync"} 1`);
    expect(metrics).not.toContain(`meridian_source_connector_errored{source_id="${healthy}"`);

    expect((await server.admin(`/v1/sources/${broken}/db-sync`, { method: 'PUT', body: JSON.stringify(settings) })).status).toBe(200);
    expect((await server.admin(`/v1/sources/${broken}/db-sync/run`, { method: 'POST' })).status).toBe(200);
    expect((await server.meridian.log.readAfter(0, 10, broken)).map((e) => e.userId)).toEqual(['c-1']);
    expect(await (await fetch(server.url + '/metrics')).text()).not.toContain(`meridian_source_connector_errored{source_id="${broken}"`);
  });
});
