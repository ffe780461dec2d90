// Meta upload sessions and replace-mode resync through the public API, against the fake Meta server
// that enforces Meta's session rules (same session_id, batch_seq from 1 in order, last_batch_flag,
// no /users during a replace, the audience becomes exactly the replace session's users); and the
// retention of finished deliveries with an injected clock, plus deleting dead letters.
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/shared/clock.js';
import { startFakeMeta, type FakeMeta } from './fakes/meta.js';
import { startFakeWebhook } from './fakes/webhook.js';
import type { FakeRequest } from './fakes/fake-server.js';
import { eventually } from './helpers/eventually.js';
import { startTestServer, track, type TestServer } from './helpers/server.js';
import { storesUnderTest } from './helpers/stores.js';

const FAST = { baseBackoffMs: 30, maxBackoffMs: 200, breakerThreshold: 50 };
type Session = { session_id: number; batch_seq: number; last_batch_flag: boolean; estimated_num_total: number };
const sessionOf = (r: FakeRequest) => (r.json as { session?: Session }).session;
const rows = (r: FakeRequest) => (r.json as { payload: { data: unknown[] } }).payload.data.length;

async function seedProfiles(server: TestServer, ids: string[]) {
  const now = Date.now();
  const values = ids.map((id) => ({ id, traits: JSON.stringify({ email: `${id}@example.com` }), computed: '{}', created_at: now, updated_at: now }));
  for (let i = 0; i < values.length; i += 1000) await server.meridian.storage.db.insertInto('profiles').values(values.slice(i, i + 1000)).execute();
}
async function membership(server: TestServer, segment: string, ids: string[]) {
  const { db, dialect } = server.meridian.storage;
  await db.transaction().execute(async (trx) => {
    await dialect.lockName(trx, 'feed:membership_changes');
    for (let i = 0; i < ids.length; i += 1000)
      await trx
        .insertInto('membership_changes')
        .values(ids.slice(i, i + 1000).map((profile_id) => ({ segment_id: segment, profile_id, kind: 'entered', at: Date.now(), trigger_seq: null })))
        .execute();
  });
  await server.meridian.drainPipeline();
}
async function createDestination(server: TestServer, body: Record<string, unknown>) {
  const res = await server.admin('/v1/destinations', { method: 'POST', body: JSON.stringify(body) });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as { id: string };
}
const range = (n: number, prefix = 'p') => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(5, '0')}`);

describe.each(storesUnderTest())('upload sessions and retention on %s', (store) => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });
  async function setup(clock?: ManualClock) {
    const server = await startTestServer({ store, clock });
    cleanup.push(() => server.close());
    return server;
  }
  async function fakeMeta(audiences: string[]): Promise<FakeMeta> {
    const meta = await startFakeMeta({ token: 't', audiences });
    cleanup.push(() => meta.close());
    return meta;
  }

  it('sends an upload of more than 10,000 adds as one session, and a retried batch keeps its session id and batch_seq', async () => {
    const server = await setup();
    const meta = await fakeMeta(['42']);
    const ids = range(12_001);
    await seedProfiles(server, ids);
    const d = await createDestination(server, { name: 'Meta', kind: 'audience', connector: 'meta', config: { apiBaseUrl: meta.url }, secrets: { accessToken: 't' }, segments: { seg: '42' }, delivery: FAST });
    await server.admin(`/v1/destinations/${d.id}/pause`, { method: 'POST' });
    await membership(server, 'seg', ids); // one logical upload, queued while paused
    let failed = false;
    meta.failWhen((r) => {
      if (failed || sessionOf(r)?.batch_seq !== 2) return undefined;
      failed = true;
      return { status: 503, body: { error: { message: 'Service temporarily unavailable', code: 2 } } };
    });
    await server.admin(`/v1/destinations/${d.id}/resume`, { method: 'POST' });

    await eventually(() => expect(meta.audiences.get('42')!.size).toBe(12_001), 30_000);
    const sent = meta.requests.filter((r) => r.path.endsWith('/users'));
    const sessions = sent.map(sessionOf);
    expect(new Set(sessions.map((s) => s?.session_id)).size).toBe(1);
    expect(Number.isSafeInteger(sessions[0]!.session_id)).toBe(true);
    expect(sessions.map((s) => [s!.batch_seq, s!.last_batch_flag, s!.estimated_num_total])).toEqual([
      [1, false, 12_001],
      [2, true, 12_001], // answered 503
      [2, true, 12_001], // the retry: same session, same batch
    ]);
    expect(sent.map(rows)).toEqual([10_000, 2_001, 2_001]);
    expect(meta.sessions.get(String(sessions[0]!.session_id))).toMatchObject({ ended: true, received: 12_001 });
    await eventually(async () => expect(await (await server.admin(`/v1/destinations/${d.id}/stats`)).json()).toMatchObject({ delivered: 12_001, dead: 0, queued: 0, retrying: 0 }));
  });

  it('replaces an audience with exactly the segment members through usersreplace, holding changes until the session ends', async () => {
    const server = await setup();
    const meta = await fakeMeta(['77']);
    const { db } = server.meridian.storage;
    await sql`CREATE TABLE IF NOT EXISTS segment_memberships (segment_id TEXT NOT NULL, profile_id TEXT NOT NULL, entered_at BIGINT NOT NULL, PRIMARY KEY (segment_id, profile_id))`.execute(db);
    const ids = range(10_500);
    await seedProfiles(server, [...ids, 'late', 'stale']);
    for (let i = 0; i < ids.length; i += 1000)
      await db.insertInto('segment_memberships' as never).values(ids.slice(i, i + 1000).map((profile_id) => ({ segment_id: 'seg', profile_id, entered_at: 1 })) as never).execute();
    const d = await createDestination(server, { name: 'Meta', kind: 'audience', connector: 'meta', config: { apiBaseUrl: meta.url }, secrets: { accessToken: 't' }, segments: { seg: '77' }, delivery: FAST });
    // The platform and the sent set hold someone who is no longer a member.
    await membership(server, 'seg', ['stale']);
    await eventually(() => expect([...meta.audiences.get('77')!.keys()]).toEqual(['stale']));
    await eventually(async () => expect(await db.selectFrom('destination_members').select('profile_id').execute()).toEqual([{ profile_id: 'stale' }]));

    let failed = false;
    meta.failWhen((r) => {
      if (failed || !r.path.endsWith('/usersreplace') || sessionOf(r)?.batch_seq !== 2) return undefined;
      failed = true;
      return { status: 500, body: { error: { message: 'An unknown error occurred', code: 1 } } };
    });
    const res = await server.admin(`/v1/destinations/${d.id}/resync`, { method: 'POST', body: JSON.stringify({ mode: 'replace' }) });
    expect(res.status, await res.clone().text()).toBe(202);
    const body = (await res.json()) as { replaced: number; sessions: { sessionId: string; batches: number; members: number }[]; skipped: number };
    expect(body).toMatchObject({ replaced: 10_500, skipped: 0, sessions: [{ segmentId: 'seg', audienceId: '77', members: 10_500, batches: 2 }] });
    // A change queued after the replace session: sent only once the session has ended (the fake refuses /users meanwhile).
    await membership(server, 'seg', ['late']);
    const again = await server.admin(`/v1/destinations/${d.id}/resync`, { method: 'POST', body: JSON.stringify({ mode: 'replace' }) });
    expect([202, 409]).toContain(again.status); // 409 replace_in_progress unless the session already ended
    if (again.status === 409) expect((await again.json()).error.code).toBe('replace_in_progress');

    await eventually(() => expect(meta.audiences.get('77')!.size).toBe(10_501), 30_000);
    const audience = meta.audiences.get('77')!;
    expect(audience.has('stale')).toBe(false);
    expect(audience.has('late')).toBe(true);
    const replaces = meta.requests.filter((r) => r.path.endsWith('/usersreplace') && String(sessionOf(r)?.session_id) === body.sessions[0].sessionId);
    expect(replaces.map((r) => [sessionOf(r)!.batch_seq, sessionOf(r)!.last_batch_flag, sessionOf(r)!.estimated_num_total, rows(r)])).toEqual([
      [1, false, 10_500, 10_000],
      [2, true, 10_500, 500], // answered 500
      [2, true, 10_500, 500],
    ]);
    const lateAdd = meta.accepted.find((r) => r.path.endsWith('/users') && (r.json as { payload: { data: string[][] } }).payload.data.some((row) => row.includes('late')))!;
    expect(lateAdd.at).toBeGreaterThanOrEqual(replaces[2].at);
    await eventually(async () => {
      const members = await db.selectFrom('destination_members').select('profile_id').where('destination_id', '=', d.id).execute();
      expect(members.length).toBe(10_501);
      expect(members.some((m) => m.profile_id === 'stale')).toBe(false);
    });
    const stats = (await (await server.admin(`/v1/destinations/${d.id}/stats`)).json()) as { dead: number };
    expect(stats.dead).toBe(0);

    const google = await server.admin('/v1/destinations', {
      method: 'POST',
      body: JSON.stringify({ name: 'G', kind: 'audience', connector: 'google_ads', config: { customerId: '1234567890' }, secrets: { accessToken: 'a', developerToken: 'b' }, segments: { seg: '1' } }),
    });
    const g = (await google.json()) as { id: string };
    const unsupported = await server.admin(`/v1/destinations/${g.id}/resync`, { method: 'POST', body: JSON.stringify({ mode: 'replace' }) });
    expect(unsupported.status).toBe(400);
    expect((await unsupported.json()).error.code).toBe('replace_unsupported');
  });

  it('ends a replace session whose batch is refused: later batches become dead letters and the sent set is what the platform kept', async () => {
    const server = await setup();
    let metaNow = Date.now();
    const meta = await startFakeMeta({ token: 't', audiences: ['88'], now: () => metaNow });
    cleanup.push(() => meta.close());
    const { db } = server.meridian.storage;
    await sql`CREATE TABLE IF NOT EXISTS segment_memberships (segment_id TEXT NOT NULL, profile_id TEXT NOT NULL, entered_at BIGINT NOT NULL, PRIMARY KEY (segment_id, profile_id))`.execute(db);
    const ids = range(20_100);
    await seedProfiles(server, ids);
    for (let i = 0; i < ids.length; i += 1000)
      await db.insertInto('segment_memberships' as never).values(ids.slice(i, i + 1000).map((profile_id) => ({ segment_id: 'seg', profile_id, entered_at: 1 })) as never).execute();
    const d = await createDestination(server, { name: 'Meta', kind: 'audience', connector: 'meta', config: { apiBaseUrl: meta.url }, secrets: { accessToken: 't' }, segments: { seg: '88' }, delivery: FAST });
    meta.failWhen((r) => (sessionOf(r)?.batch_seq === 2 ? { status: 400, body: { error: { message: 'Replace Session Timed Out', code: 2650, error_subcode: 1870158 } } } : undefined));
    const res = await server.admin(`/v1/destinations/${d.id}/resync`, { method: 'POST', body: JSON.stringify({ mode: 'replace' }) });
    expect(((await res.json()) as { sessions: { batches: number }[] }).sessions[0].batches).toBe(3);
    await eventually(async () => expect(await (await server.admin(`/v1/destinations/${d.id}/stats`)).json()).toMatchObject({ delivered: 10_000, dead: 10_100, queued: 0, retrying: 0, inflight: 0 }), 30_000);
    expect(meta.requests.map((r) => sessionOf(r)?.batch_seq)).toEqual([1, 2]); // batch 3 never sent after 2 failed
    const members = await db.selectFrom('destination_members').select('profile_id').where('destination_id', '=', d.id).execute();
    expect(members.length).toBe(10_000);
    const dead = await db.selectFrom('deliveries').select(['session_seq', 'last_status', 'last_error']).where('status', '=', 'dead').execute();
    expect(dead.filter((x) => Number(x.session_seq) === 2 && Number(x.last_status) === 400)).toHaveLength(10_000);
    expect(dead.filter((x) => Number(x.session_seq) === 3 && x.last_error!.includes('abandoned'))).toHaveLength(100);
    // Meta keeps the abandoned session running until it times out (90 minutes); meanwhile /users is
    // refused with 1870145, which is retried, not dead. Then the audience is what batch 1 uploaded,
    // as the sent set says, and replaying the dead letters adds the rest through /users.
    meta.failWhen(null);
    metaNow += 91 * 60_000;
    const replay = await server.admin(`/v1/destinations/${d.id}/dead-letters/replay`, { method: 'POST', body: '{}' });
    expect(await replay.json()).toEqual({ replayed: 10_100 });
    await eventually(async () => expect(await (await server.admin(`/v1/destinations/${d.id}/stats`)).json()).toMatchObject({ delivered: 20_100, dead: 0 }), 30_000);
    expect(meta.accepted.at(-1)!.path.endsWith('/users')).toBe(true);
    expect(meta.audiences.get('88')!.size).toBe(20_100);
  });

  it('deletes delivered rows after the retention period, keeps dead letters until they are deleted', async () => {
    const clock = new ManualClock(Date.now());
    const server = await setup(clock);
    const secret = 'whsec_retention_0123456';
    const hook = await startFakeWebhook(secret);
    cleanup.push(() => hook.close());
    hook.failWhen((r) => ((r.json as { event?: string }).event === 'Bad' ? { status: 400, body: { error: 'no' } } : undefined));
    const d = await createDestination(server, { name: 'Hook', kind: 'events', connector: 'webhook', config: { url: hook.url }, secrets: { signingSecret: secret }, delivery: { retentionMs: 3 * 24 * 3600_000 } });
    const source = await server.createSource();
    await track(server.url, source.writeKey, '/v1/batch', { batch: ['Good', 'Bad', 'Good'].map((event) => ({ type: 'track', userId: `u-${event}`, event })) });
    await server.meridian.drainPipeline();
    const stats = async () => (await (await server.admin(`/v1/destinations/${d.id}/stats`)).json()) as Record<string, number>;
    await eventually(async () => expect(await stats()).toMatchObject({ delivered: 2, dead: 1 }));

    clock.advance(2 * 24 * 3600_000); // within retention: kept
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await stats()).toMatchObject({ delivered: 2, dead: 1 });
    clock.advance(2 * 24 * 3600_000); // past it: deleted by the engine; the dead letter stays
    await eventually(async () => expect(await stats()).toMatchObject({ delivered: 0, dead: 1 }), 10_000);

    const missing = await server.admin(`/v1/destinations/${d.id}/dead-letters/delete`, { method: 'POST', body: JSON.stringify({ ids: [999_999] }) });
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe('dead_letter_not_found');
    const del = await server.admin(`/v1/destinations/${d.id}/dead-letters/delete`, { method: 'POST', body: JSON.stringify({ lastStatus: 400 }) });
    expect(await del.json()).toEqual({ deleted: 1 });
    expect(await stats()).toMatchObject({ delivered: 0, dead: 0 });
  });
});
