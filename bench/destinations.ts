// Destinations benchmark (`npm run bench:destinations`): an in-process Meridian on the embedded store
// delivers (1) N audience changes (membership_changes rows, as the segments stage writes them) to a
// local fake Meta Custom Audiences server and (2) N events (appended to the log) to a local signed
// webhook receiver. Prints deliveries/s, end-to-end latency from the change's commit to the request
// being received (p50/p99), and a baseline measured in the same run: a bare loop POSTing the same
// payloads directly (same batch size / concurrency), so the ratio is the engine's overhead
// (outbox writes, claims, hashing, outcome bookkeeping). Only talks to 127.0.0.1.
// Settings (env): BENCH_N (default 100000), BENCH_TIMEOUT_S (default 600 per part), BENCH_BASELINE_S
// (default 60: the baseline loop stops after this long and reports its rate).
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { built } from './built.js';
import { startFake } from '../test/fakes/fake-server.js';

const { loadConfig } = await built<typeof import('../src/config.js')>('config.js');
const { createMeridian } = await built<typeof import('../src/main.js')>('main.js');
const { metaRow } = await built<typeof import('../src/destinations/connectors/meta.js')>('destinations/connectors/meta.js');
const { signWebhook } = await built<typeof import('../src/destinations/index.js')>('destinations/index.js');

const N = Number(process.env.BENCH_N ?? 100_000);
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_S ?? 600) * 1000;
const ADMIN = 'bench-admin-key-0123456789';
const SECRET = 'whsec_bench_0123456789';
const CONCURRENCY = 4;
const BASELINE_MS = Number(process.env.BENCH_BASELINE_S ?? 60) * 1000;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)] : NaN;
};
const fmt = (n: number) => (Number.isFinite(n) ? n.toFixed(n < 10 ? 1 : 0) : 'n/a');

/** Receivers that only record arrival times (validation is the tests' job; here it would skew timing). */
async function receivers() {
  const metaArrivals = new Map<string, number>();
  const hookArrivals = new Map<number, number>();
  const meta = await startFake((req) => {
    const now = Date.now();
    const { payload } = req.json as { payload: { schema: string[]; data: string[][] } };
    const ext = payload.schema.indexOf('EXTERN_ID');
    for (const row of payload.data) metaArrivals.set(row[ext], now);
    return { status: 200, body: { num_received: payload.data.length } };
  });
  const hook = await startFake((req) => {
    hookArrivals.set((req.json as { seq: number }).seq, Date.now());
    return { status: 200, body: {} };
  });
  meta.requests.length = 0;
  return { meta, hook, metaArrivals, hookArrivals };
}

async function waitFor(cond: () => boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!cond() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return cond();
}

/** Baseline: POST the same payloads directly, same batch size and concurrency, for at most BASELINE_MS. Returns requests/s. */
async function baseline(url: string, bodies: { method: string; body: string; headers?: Record<string, string> }[]) {
  const t0 = performance.now();
  let next = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < bodies.length && performance.now() - t0 < BASELINE_MS; i = next++) {
        const b = bodies[i];
        const res = await fetch(url, { method: b.method, headers: { 'content-type': 'application/json', ...(b.headers ?? {}) }, body: b.body });
        await res.text();
        done++;
      }
    }),
  );
  return { requests: done, ms: performance.now() - t0 };
}

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'meridian-bench-dst-'));
  const r = await receivers();
  const meridian = await createMeridian(loadConfig({ port: 0, host: '127.0.0.1', dataDir, logLevel: 'error', adminKey: ADMIN }, {}));
  const url = await meridian.listen();
  const api = async (path: string, body: unknown) => {
    const res = await fetch(url + path, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  const { db, dialect } = meridian.storage;
  console.log(`machine: ${cpus()[0]?.model ?? 'cpu'} × ${availableParallelism()}, node ${process.version}, store sqlite, N = ${N}`);

  // ---- 1. audience changes → fake Meta -------------------------------------------------------
  await api('/v1/destinations', { name: 'Meta', kind: 'audience', connector: 'meta', config: { apiBaseUrl: r.meta.url }, secrets: { accessToken: 't' }, segments: { seg: '1' } });
  const now = Date.now();
  const profiles = Array.from({ length: N }, (_, i) => ({ id: `p${i}`, traits: JSON.stringify({ email: `user${i}@example.com`, phone: `+1650555${String(i % 10000).padStart(4, '0')}`, country: 'US' }), computed: '{}', created_at: now, updated_at: now }));
  for (let i = 0; i < profiles.length; i += 2000) await db.insertInto('profiles').values(profiles.slice(i, i + 2000)).execute();
  const changedAt = new Map<string, number>();
  const t0 = performance.now();
  for (let i = 0; i < N; i += 2000) {
    const at = Date.now();
    await db.transaction().execute(async (trx) => {
      await dialect.lockName(trx, 'feed:membership_changes');
      await trx.insertInto('membership_changes').values(Array.from({ length: Math.min(2000, N - i) }, (_, k) => ({ segment_id: 'seg', profile_id: `p${i + k}`, kind: 'entered' as const, at, trigger_seq: null }))).execute();
    });
    for (let k = i; k < Math.min(i + 2000, N); k++) changedAt.set(`p${k}`, Date.now());
  }
  const done1 = await waitFor(() => r.metaArrivals.size >= N, TIMEOUT_MS);
  const audienceMs = Math.max(...r.metaArrivals.values()) - (performance.timeOrigin + t0);
  const audienceLat = [...r.metaArrivals].map(([id, at]) => at - changedAt.get(id)!);
  const metaBodies: { method: string; body: string }[] = [];
  for (let i = 0; i < N; i += 10_000)
    metaBodies.push({ method: 'POST', body: JSON.stringify({ payload: { schema: ['EMAIL', 'PHONE', 'FN', 'LN', 'CT', 'ST', 'ZIP', 'COUNTRY', 'EXTERN_ID'], data: profiles.slice(i, i + 10_000).map((p) => metaRow({ profileId: p.id, ...JSON.parse(p.traits) })) } }) });

  // ---- 2. events → signed webhook ------------------------------------------------------------
  await api('/v1/destinations', { name: 'Hook', kind: 'events', connector: 'webhook', config: { url: r.hook.url + '/in' }, secrets: { signingSecret: SECRET }, filter: { events: ['Bench'] }, delivery: { concurrency: CONCURRENCY } });
  const source = (await api('/v1/sources', { name: 'bench', type: 'server' })) as { id: string };
  const appendedAt = new Map<number, number>();
  const t1 = performance.now();
  for (let i = 0; i < N; i += 1000) {
    const at = Date.now();
    const events = Array.from({ length: Math.min(1000, N - i) }, (_, k) => {
      const payload = { type: 'track', event: 'Bench', userId: `u${(i + k) % 5000}`, messageId: `m${i + k}`, properties: { i: i + k } };
      return { sourceId: source.id, messageId: payload.messageId, type: 'track', event: 'Bench', userId: payload.userId, anonymousId: null, ts: at, receivedAt: at, payload: JSON.stringify(payload) };
    });
    // The embedded log's writer may report a busy store under this load; an SDK would retry too.
    let outcomes;
    for (let attempt = 1; ; attempt++) {
      try {
        outcomes = await meridian.log.append(events);
        break;
      } catch (err) {
        if (attempt >= 20) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    const t = Date.now();
    for (const o of outcomes) if (o.status === 'accepted') appendedAt.set(o.seq, t);
  }
  const done2 = await waitFor(() => r.hookArrivals.size >= N, TIMEOUT_MS);
  const eventsMs = Math.max(...r.hookArrivals.values()) - (performance.timeOrigin + t1);
  const eventLat = [...r.hookArrivals].map(([seq, at]) => at - appendedAt.get(seq)!);
  const hookBodies = [...appendedAt.keys()].map((seq) => {
    const body = JSON.stringify({ type: 'track', event: 'Bench', userId: 'u', messageId: `m${seq}`, properties: { i: seq }, seq });
    const ts = String(Date.now());
    return { method: 'POST', body, headers: { 'x-meridian-timestamp': ts, 'x-meridian-signature': signWebhook(SECRET, ts, body), 'idempotency-key': `event:${seq}` } };
  });

  await meridian.close();
  // Baselines run after Meridian stopped, so that a backlog left by a timeout does not compete with them.
  const requestsBefore = { meta: r.meta.requests.length, hook: r.hook.requests.length };
  const audienceBase = await baseline(r.meta.url + '/v21.0/1/users', metaBodies);
  const eventsBase = await baseline(r.hook.url + '/in', hookBodies);
  const report = (name: string, done: boolean, n: number, ms: number, lat: number[], base: { requests: number; ms: number }, perRequest: number, requests: number) => {
    const rate = (n / ms) * 1000;
    const baseRate = ((base.requests * perRequest) / base.ms) * 1000;
    console.log(
      `${name}: ${done ? 'all delivered' : `TIMED OUT with ${n}/${N} delivered`} — ${fmt(rate)} deliveries/s in ${requests} requests; ` +
        `change→received p50 ${fmt(pct(lat, 0.5))} ms, p99 ${fmt(pct(lat, 0.99))} ms; baseline (bare POST loop) ${fmt(baseRate)} /s; ratio ${(rate / baseRate).toFixed(3)}`,
    );
  };
  report('audience → Meta', done1, r.metaArrivals.size, audienceMs, audienceLat, audienceBase, 10_000, requestsBefore.meta);
  report('events → webhook', done2, r.hookArrivals.size, eventsMs, eventLat, eventsBase, 1, requestsBefore.hook);
  await Promise.all([r.meta.close(), r.hook.close()] as Promise<void>[]);
  rmSync(dataDir, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
