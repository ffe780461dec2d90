// Data-subject delete and suppress through the public API, and the proof: after the delete job (which
// ends with the store's compaction), a byte search of every file under the data directory — the main
// database, the event log's own file, their WALs — finds none of the person's identifiers, while
// another person's data is still there. On PostgreSQL: the rows are gone and the tables were vacuumed.
// Also: every table with a column that can hold personal data is in the one list of personal-data
// tables (src/privacy/dsr/personal-data.ts) or exempted with a reason.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { startTestServer, track, type TestServer } from './helpers/server.js';
import { storesUnderTest } from './helpers/stores.js';
import { adminApi } from './helpers/admin-api.js';
import { eventually } from './helpers/eventually.js';
import { EXEMPT_TABLES, PERSONAL_DATA, compactStore, existingTables } from '../src/privacy/index.js';
import { startFakeMeta } from './fakes/meta.js';
import { startFake } from './fakes/fake-server.js';
import { createHmac } from 'node:crypto';
import { upload, waitForImport } from './helpers/imports.js';

const ALICE = { userId: 'u-alice-5c1e', email: 'alice.liddell@example.com', phone: '+886 912 345 678', anon: 'anon-alice-9d2f' };
const BOB = { userId: 'u-bob-77aa', email: 'bob.builder@example.org', phone: '+886 955 111 222', anon: 'anon-bob-3e4d' };
/** What must not be found anywhere (the phone as stored normalised, and as sent). */
const aliceNeedles = [ALICE.userId, ALICE.email, ALICE.anon, '+886912345678', ALICE.phone, 'Alice Liddell'];

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

function filesContaining(dir: string, needle: string): string[] {
  const bytes = Buffer.from(needle, 'utf8');
  return filesUnder(dir).filter((f) => readFileSync(f).includes(bytes));
}

/** Columns that can hold a person's data: a table with one must be listed or exempted. */
const PERSONAL_COLUMN = /^(profile_id|other_profile_id|into_profile_id|merged_profile_id|new_profile_id|user_id|anonymous_id|identifier|identifiers|email|phone|traits|payload|item|order_key|person|token|device_token|subject)$/;

describe.each(storesUnderTest())('data-subject delete and suppress on %s', (store) => {
  let server: TestServer;
  let source: { id: string; writeKey: string };
  const { call, get } = adminApi(() => server);

  const person = async (p: typeof ALICE, name: string) => {
    const send = async (path: string, body: object) => expect((await track(server.url, source.writeKey, path, body)).status).toBe(200);
    await send('/v1/page', { anonymousId: p.anon, name: 'Home', context: { consent: { categoryPreferences: { analytics: true, advertising: false } } } });
    await send('/v1/identify', { userId: p.userId, anonymousId: p.anon, traits: { email: p.email, phone: p.phone, name } });
    await send('/v1/track', { userId: p.userId, event: 'Order Completed', properties: { total: 42, email: p.email } });
    // A batch with one bad item: kept in failed events as sent.
    await send('/v1/batch', { batch: [{ type: 'track', userId: p.userId, event: 'Viewed' }, { type: 'track', userId: p.userId, properties: { email: p.email } }] });
  };

  const finished = async (id: string) =>
    eventually(async () => {
      const { body } = await get(`/v1/privacy/requests/${id}`);
      expect(['completed', 'failed']).toContain(body.status);
      return body;
    }, 60_000, 100);

  beforeAll(async () => {
    server = await startTestServer({ store });
    source = await server.createSource('web');
    await person(ALICE, 'Alice Liddell');
    await person(BOB, 'Bob Builder');
    // Their orders imported from an uploaded file too: the file stays under <data dir>/imports.
    const csv = ['customer,email,ordered_on,total', `${ALICE.userId},${ALICE.email},2026-01-02,10`, `${BOB.userId},${BOB.email},2026-01-03,20`].join('\n');
    const imported = await upload(server, csv, { sourceId: source.id, mapping: { event: 'Order Completed', fields: { customer: 'userId', email: 'email', ordered_on: 'timestamp', total: { to: 'properties.total', type: 'number' } } } });
    expect((await waitForImport(server, imported.body.id)).status).toBe('completed');
    await server.meridian.drainPipeline();
  });
  afterAll(() => server?.close());

  it('lists every table that can hold personal data, or exempts it with a reason', async () => {
    const { db, dialect } = server.meridian.storage;
    const listed = new Set([...PERSONAL_DATA.map((t) => t.table), ...Object.keys(EXEMPT_TABLES)]);
    const unlisted: string[] = [];
    for (const table of await existingTables(db, dialect)) {
      const columns =
        dialect.name === 'sqlite'
          ? (await sql<{ name: string }>`SELECT name FROM pragma_table_info(${table})`.execute(db)).rows.map((r) => r.name)
          : (await sql<{ name: string }>`SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ${table}`.execute(db)).rows.map((r) => r.name);
      if (columns.some((c) => PERSONAL_COLUMN.test(c)) && !listed.has(table)) unlisted.push(table);
    }
    expect(unlisted, 'tables with personal columns missing from src/privacy/dsr/personal-data.ts').toEqual([]);
    if (dialect.name === 'sqlite') {
      // The log's tables live in log.db (attached as `log`).
      const logTables = (await sql<{ name: string }>`SELECT name FROM log.sqlite_master WHERE type = 'table'`.execute(db)).rows.map((r) => r.name);
      expect(logTables.filter((t) => t !== 'sqlite_sequence' && !listed.has(t))).toEqual([]);
    }
  });

  it('deletes a person everywhere: afterwards no file holds their identifiers, another person is intact', async () => {
    expect((await get(`/v1/profiles/email/${encodeURIComponent(ALICE.email)}`)).status).toBe(200);
    const filed = await call('POST', '/v1/privacy/requests', { kind: 'delete', identifier: { type: 'email', value: ALICE.email.toUpperCase() } });
    expect(filed.status).toBe(202);
    expect(filed.body).toMatchObject({ kind: 'delete', status: expect.stringMatching(/queued|running/) });
    const done = await finished(filed.body.id);
    expect(done.status).toBe('completed');
    expect(done.progress).toBe(1);
    expect(done.result.profiles).toBe(1);
    expect(done.result.events).toBeGreaterThanOrEqual(5);
    expect(done.result.rows.profiles).toBe(1);
    expect(done.result.rows.failed_events).toBe(1);
    expect(done.result.importLines).toBe(1);

    expect((await get(`/v1/profiles/email/${encodeURIComponent(ALICE.email)}`)).body.error.code).toBe('profile_not_found');
    expect((await get(`/v1/profiles/user_id/${ALICE.userId}`)).status).toBe(404);
    expect((await get(`/v1/events?userId=${ALICE.userId}&limit=10`)).body.data).toEqual([]);
    const bob = await get(`/v1/profiles/email/${encodeURIComponent(BOB.email)}`);
    expect(bob.status).toBe(200);
    expect(bob.body.traits.name.value).toBe('Bob Builder');

    if (store === 'sqlite') {
      // The job's own proof: secure_delete zeroed the rows, checkpoints emptied the WALs, and its byte
      // search of every file under the data directory found none of Alice's values.
      expect(done.result.compaction).toMatchObject({ residue: [], searched: expect.any(Number) });
      expect(done.result.compaction.searched).toBeGreaterThanOrEqual(4);
      for (const needle of aliceNeedles) expect(filesContaining(server.dataDir, needle), needle).toEqual([]);
      // The search does find what is still there.
      expect(filesContaining(server.dataDir, BOB.email).length).toBeGreaterThan(0);
      expect(filesContaining(server.dataDir, BOB.userId).length).toBeGreaterThan(0);
    } else {
      const { db } = server.meridian.storage;
      for (const t of PERSONAL_DATA) {
        const exists = await sql<{ n: number }>`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ${t.table}`.execute(db);
        if (exists.rows[0].n === 0) continue;
        for (const needle of aliceNeedles) {
          const rows = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(t.table)} x WHERE strpos(CAST(row_to_json(x) AS TEXT), ${needle}) > 0`.execute(db);
          expect(rows.rows[0].n, `${t.table} holds ${needle}`).toBe(0);
        }
      }
      await eventually(async () => {
        const stats = await sql<{ relname: string; n: number }>`SELECT relname, vacuum_count::int AS n FROM pg_stat_user_tables WHERE schemaname = current_schema() AND relname IN ('events', 'profiles', 'identity_identifiers')`.execute(db);
        expect(stats.rows.map((r) => r.n > 0)).toEqual([true, true, true]);
      });
    }
    // The request log keeps a salted hash as proof, nothing else about the person.
    expect(done.proof.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(done)).not.toContain(ALICE.email);
  });

  it.runIf(store === 'sqlite')('rebuilds a database file with VACUUM only when the byte search finds a value in it', async () => {
    const { db, dialect, compact } = server.meridian.storage;
    // Bob is still stored: his email is residue to the search, so both files are rebuilt and it is reported.
    const kept = await compactStore(db, dialect, server.meridian.log, compact, { dataDir: server.dataDir, values: [BOB.email] });
    expect(kept!.vacuumed).toEqual(['log.db', 'meridian.db']);
    expect(kept!.residue.map((r) => r.file)).toContain('meridian.db');
    // A value stored nowhere: checkpoints only, no rewrite.
    const clean = await compactStore(db, dialect, server.meridian.log, compact, { dataDir: server.dataDir, values: ['never.stored.anywhere@example.net'] });
    expect(clean).toEqual({ vacuumed: [], residue: [], searched: expect.any(Number) });
  }, 60_000);

  it('suppresses: deletes the person and refuses events carrying any of their identifiers again', async () => {
    const filed = await call('POST', '/v1/privacy/requests', { kind: 'suppress', identifier: { type: 'user_id', value: BOB.userId } });
    expect(filed.status).toBe(202);
    const done = await finished(filed.body.id);
    expect(done.status).toBe('completed');
    expect(done.result.suppressed).toBeGreaterThanOrEqual(4); // user_id, email, phone, anonymous_id
    expect((await get(`/v1/profiles/user_id/${BOB.userId}`)).status).toBe(404);

    // Re-collection by another id but the same email, and by the same phone written differently: refused.
    const again = await track(server.url, source.writeKey, '/v1/batch', {
      batch: [
        { type: 'identify', userId: 'someone-new', traits: { email: BOB.email.toUpperCase() } },
        { type: 'track', anonymousId: 'fresh-device', event: 'Signed Up', properties: { phone: '+886955111222' } },
        { type: 'identify', userId: 'carol', traits: { email: 'carol@example.net' } },
      ],
    });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ accepted: 1 });
    await server.meridian.drainPipeline();
    expect((await get(`/v1/profiles/user_id/someone-new`)).status).toBe(404);
    expect((await get(`/v1/profiles/user_id/carol`)).status).toBe(200);
    if (store === 'sqlite') for (const needle of [BOB.email, BOB.userId, '+886955111222']) expect(filesContaining(server.dataDir, needle), needle).toEqual([]);
  });

  it('exports everything about a person for an access request, and rectifies traits through the log', async () => {
    const send = (path: string, body: object) => track(server.url, source.writeKey, path, body);
    await send('/v1/identify', { userId: 'u-erin', traits: { email: 'erin@example.com', name: 'Erin Typo' } });
    await send('/v1/track', { userId: 'u-erin', event: 'Order Completed', properties: { total: 9 }, context: { consent: { categoryPreferences: { marketing: false } } } });
    await server.meridian.drainPipeline();
    const access = await call('POST', '/v1/privacy/requests', { kind: 'access', identifier: { type: 'email', value: 'erin@example.com' } });
    expect(access.status).toBe(202);
    const done = await finished(access.body.id);
    expect(done).toMatchObject({ status: 'completed', result: { profiles: 1, events: 2, exportAvailable: true } });
    const res = await server.admin(`/v1/privacy/requests/${access.body.id}/export`);
    expect(res.headers['get']('content-disposition')).toContain('attachment');
    const doc = await res.json();
    expect(doc.identifiers).toEqual(expect.arrayContaining([{ type: 'email', value: 'erin@example.com' }, { type: 'user_id', value: 'u-erin' }]));
    expect(doc.profiles[0].profile.traits.name.value).toBe('Erin Typo');
    expect(doc.profiles[0].consent.preferences).toEqual({ marketing: false });
    expect(doc.events.map((e: { payload: { type: string } }) => e.payload.type).sort()).toEqual(['identify', 'track']);

    const fix = await call('POST', '/v1/privacy/requests', { kind: 'rectify', identifier: { type: 'user_id', value: 'u-erin' }, traits: { name: 'Erin Tan' } });
    expect(fix.status).toBe(202);
    expect((await finished(fix.body.id)).status).toBe('completed');
    await server.meridian.drainPipeline();
    const profile = await get('/v1/profiles/email/erin@example.com');
    expect(profile.body.traits.name).toMatchObject({ value: 'Erin Tan', source: 'privacy' });

    // Deleting Erin drops the export made for her.
    expect((await finished((await call('POST', '/v1/privacy/requests', { kind: 'delete', identifier: { type: 'user_id', value: 'u-erin' } })).body.id)).status).toBe('completed');
    expect((await get(`/v1/privacy/requests/${access.body.id}/export`)).body.error.code).toBe('privacy_export_unavailable');
    expect((await get(`/v1/privacy/requests/${fix.body.id}/export`)).status).toBe(409);
  });

  it('forwards a delete to the ad platforms holding the person (Meta audience removal)', async () => {
    const meta = await startFakeMeta({ token: 'meta-token', audiences: ['2385'] });
    try {
      const seg = await call('POST', '/v1/segments', { name: 'VIP', rule: { version: 1, root: { type: 'trait', path: 'plan', op: 'equals', value: 'vip' } } });
      expect(seg.status).toBe(201);
      const d = await call('POST', '/v1/destinations', {
        name: 'Meta VIPs', kind: 'audience', connector: 'meta', config: { apiBaseUrl: meta.url }, secrets: { accessToken: 'meta-token' }, segments: { [seg.body.id]: '2385' },
        delivery: { baseBackoffMs: 30, maxBackoffMs: 300, breakerThreshold: 3, breakerOpenMs: 100 },
      });
      expect(d.status).toBe(201);
      for (const who of ['dana', 'eve']) await track(server.url, source.writeKey, '/v1/identify', { userId: `u-${who}`, traits: { email: `${who}@example.com`, plan: 'vip' } });
      await server.meridian.drainPipeline();
      await eventually(() => expect(meta.audiences.get('2385')!.size).toBe(2), 30_000);

      const filed = await call('POST', '/v1/privacy/requests', { kind: 'delete', identifier: { type: 'email', value: 'dana@example.com' } });
      const done = await finished(filed.body.id);
      expect(done.status).toBe('completed');
      expect(done.result.destinations).toEqual([{ destinationId: d.body.id, status: 'delivered' }]);
      expect(meta.audiences.get('2385')!.size).toBe(1);
      expect(meta.accepted.filter((r) => r.method === 'DELETE')).toHaveLength(1);
      expect((await call('DELETE', `/v1/destinations/${d.body.id}`)).status).toBe(204);
    } finally {
      await meta.close();
    }
  });

  it('sends a signed deletion notice to a webhook destination that asked for them, and leaves no copy of it', async () => {
    const hook = await startFake(() => ({ status: 200, body: { ok: true } }));
    try {
      const secret = 'deletion-notice-secret-71c2';
      const d = await call('POST', '/v1/destinations', { name: 'CRM hook', kind: 'events', connector: 'webhook', config: { url: hook.url + '/crm', deletionNotices: true }, secrets: { signingSecret: secret } });
      expect(d.status).toBe(201);
      const other = await call('POST', '/v1/destinations', { name: 'Plain hook', kind: 'events', connector: 'webhook', config: { url: hook.url + '/plain' } });
      expect(other.status).toBe(201);
      await track(server.url, source.writeKey, '/v1/identify', { userId: 'u-kim-notice', anonymousId: 'anon-kim-notice', traits: { email: 'kim.notice@example.com' } });
      await server.meridian.drainPipeline();

      const filed = await call('POST', '/v1/privacy/requests', { kind: 'delete', identifier: { type: 'user_id', value: 'u-kim-notice' } });
      const done = await finished(filed.body.id);
      expect(done.status).toBe('completed');
      expect(done.result.destinations).toContainEqual({ destinationId: d.body.id, status: 'delivered' });
      const notices = hook.requests.filter((r) => (r.json as any)?.type === 'meridian.deletion');
      expect(notices.map((r) => r.path)).toEqual(['/crm']);
      expect(notices[0].json).toMatchObject({ privacyRequest: filed.body.id, kind: 'delete', userIds: ['u-kim-notice'], anonymousIds: ['anon-kim-notice'], emails: ['kim.notice@example.com'] });
      const ts = notices[0].headers['x-meridian-timestamp'] as string;
      expect(notices[0].headers['x-meridian-signature']).toBe('v1=' + createHmac('sha256', secret).update(`${ts}.${notices[0].body}`).digest('hex'));
      if (store === 'sqlite') {
        expect(done.result.compaction.residue).toEqual([]);
        expect(filesContaining(server.dataDir, 'kim.notice@example.com')).toEqual([]);
      }
      for (const id of [d.body.id, other.body.id]) expect((await call('DELETE', `/v1/destinations/${id}`)).status).toBe(204);
    } finally {
      await hook.close();
    }
  }, 120_000);

  it('runs deletes filed together with one compaction after the last, each completed only then', async () => {
    const people = ['gus', 'hal', 'ivy'];
    for (const who of people) await track(server.url, source.writeKey, '/v1/identify', { userId: `u-${who}-0c`, traits: { email: `${who}.quill@example.com` } });
    await server.meridian.drainPipeline();
    const ids = [];
    for (const who of people) ids.push((await call('POST', '/v1/privacy/requests', { kind: 'delete', identifier: { type: 'user_id', value: `u-${who}-0c` } })).body.id);
    const done = await Promise.all(ids.map(finished));
    expect(done.map((d) => [d.status, d.result.profiles])).toEqual(people.map(() => ['completed', 1]));
    // The first two waited for the third's compaction: none finished before the last one was erased.
    const lastStarted = Date.parse(done[2].startedAt);
    for (const d of done) expect(Date.parse(d.finishedAt)).toBeGreaterThanOrEqual(lastStarted);
    if (store === 'sqlite') for (const who of people) expect(filesContaining(server.dataDir, `${who}.quill@example.com`)).toEqual([]);
  });

  it.runIf(store === 'sqlite')('resumes a request a stopped server left queued, on the next start', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'meridian-dsr-resume-'));
    try {
      const first = await startTestServer({ dataDir });
      const src = await first.createSource('web');
      await track(first.url, src.writeKey, '/v1/identify', { userId: 'u-jo-resume', traits: { email: 'jo.resume@example.com' } });
      await first.meridian.drainPipeline();
      await first.meridian.privacy.requests.stop(); // as if the process stopped before the job ran
      const filed = await first.admin('/v1/privacy/requests', { method: 'POST', body: JSON.stringify({ kind: 'delete', identifier: { type: 'email', value: 'jo.resume@example.com' } }) });
      const { id } = (await filed.json()) as { id: string };
      await first.close();

      const second = await startTestServer({ dataDir });
      try {
        const done = await eventually(async () => {
          const body = (await (await second.admin(`/v1/privacy/requests/${id}`)).json()) as { status: string; result: { profiles: number } };
          expect(body.status).toBe('completed');
          return body;
        }, 60_000, 100);
        expect(done.result.profiles).toBe(1);
        expect((await second.admin('/v1/profiles/user_id/u-jo-resume')).status).toBe(404);
        expect(filesContaining(dataDir, 'jo.resume@example.com')).toEqual([]);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses bad requests with clear errors', async () => {
    expect((await call('POST', '/v1/privacy/requests', { kind: 'delete', identifier: { type: 'shoe_size', value: '42' } })).body.error.code).toBe('unknown_identifier_type');
    expect((await call('POST', '/v1/privacy/requests', { kind: 'delete', identifier: { type: 'email', value: 'not-an-email' } })).body.error.code).toBe('invalid_identifier');
    expect((await call('POST', '/v1/privacy/requests', { kind: 'rectify', identifier: { type: 'email', value: 'nobody@example.com' }, traits: { name: 'x' } })).body.error.code).toBe('profile_not_found');
    expect((await get('/v1/privacy/requests/dsr_nope')).body.error.code).toBe('privacy_request_not_found');
    const list = await get('/v1/privacy/requests?limit=1');
    expect(list.body.data).toHaveLength(1);
    expect(list.body.next).not.toBeNull();
  });
});
