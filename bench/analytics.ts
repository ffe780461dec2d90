// Analytics benchmark (`npm run bench:analytics`), embedded store (or PostgreSQL with BENCH_DATABASE_URL).
// Generates BENCH_ANALYTICS_EVENTS events (default 1,000,000) over BENCH_ANALYTICS_PROFILES profiles
// (default events / 20) across 2026 in code (seeded), applies them through the analytics stage's apply in
// batches of BENCH_ANALYTICS_BATCH (20,000) — the rollup cost per 1,000 events — then times the queries
// cold (first run) and warm (median of BENCH_ANALYTICS_RUNS, 3): the KPI query, a 5-step funnel and a
// 12-month cohort table from the person-free rollups, beside the same questions answered by the
// per-person rollup / event facts (what answered before the rollups), web sessions, paths and ROI.
// Baseline in the same run: orders, revenue and distinct active people per UTC day by a plain scan of the
// raw events with their JSON payloads — what every dashboard query would cost without the stage.
import { mkdirSync, rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { applyAnalytics } from '../src/analytics/rollup-stage.js';
import { resolveScope } from '../src/analytics/scope.js';
import { kpis } from '../src/analytics/kpis.js';
import { funnel } from '../src/analytics/funnel.js';
import { retention } from '../src/analytics/cohorts.js';
import { web } from '../src/analytics/web.js';
import { paths } from '../src/analytics/paths.js';
import { roi } from '../src/analytics/roi.js';
import type { LogEventLike } from '../src/analytics/facts.js';
import { insertRows, openStorage } from '../src/storage/index.js';
import { rng } from './rng.js';

const EVENTS = Number(process.env.BENCH_ANALYTICS_EVENTS ?? 1_000_000);
const PROFILES = Number(process.env.BENCH_ANALYTICS_PROFILES ?? Math.max(1, Math.round(EVENTS / 20)));
const BATCH = Number(process.env.BENCH_ANALYTICS_BATCH ?? 20_000);
const DIR = resolve(process.env.BENCH_DIR ?? '.bench', 'analytics');
const DAY = 86_400_000;
const START = Date.UTC(2026, 0, 1);
const DAYS = 365;
const WARM_RUNS = Number(process.env.BENCH_ANALYTICS_RUNS ?? 3);
/** Events per session are a page and 1–4 steps, ≈ 3.5 on average: sessions per profile give the wanted events per profile. */
const SESSIONS = Math.max(1, EVENTS / PROFILES / 3.5);

const rand = rng(42);
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
const SOURCES = ['google', 'facebook', 'baidu', 'newsletter', null, null, null] as const;
const CAMPAIGNS = ['spring', 'brand', 'retarget', 'launch'];
const CATEGORIES = ['shoes', 'bags', 'hats', 'shirts', 'watches'];
const PAGES = ['/', '/shoes', '/bags', '/sale', '/blog', '/about'];
const UAS = ['Mozilla/5.0 (Windows NT 10.0)', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0)', 'Mozilla/5.0 (iPad; CPU OS 17_0)'];
const STEPS = ['Product Viewed', 'Add to Cart', 'Checkout Started', 'Order Completed'];

const TOUCH_COLUMNS = ['seq', 'source_id', 'day', 'ts', 'channel', 'utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content', 'click_id_type', 'click_id', 'user_id', 'anonymous_id'] as const;
type BenchEvent = LogEventLike & { event: string | null; userId: string };

/** One profile's sessions over the year: a landing page (a third from a campaign), then views, cart, checkout, sometimes an order. */
function* generate(): Generator<BenchEvent> {
  let seq = 0;
  for (let p = 0; p < PROFILES && seq < EVENTS; p++) {
    const userId = `u${p}`;
    const ua = pick(UAS);
    const country = pick(['TW', 'CN', 'US', 'JP', 'DE']);
    const sessions = 1 + Math.floor(rand() * (2 * SESSIONS - 1));
    let t = START + Math.floor(rand() * (DAYS - 30) * DAY);
    const gap = ((DAYS - (t - START) / DAY) * DAY) / (sessions + 1);
    for (let s = 0; s < sessions && t < START + DAYS * DAY; s++) {
      const source = pick(SOURCES);
      const query = source ? `?utm_source=${source}&utm_campaign=${pick(CAMPAIGNS)}` : '';
      const context = { userAgent: ua, location: { country }, page: { url: `https://shop.example.com${pick(PAGES)}${query}` } };
      yield { seq: ++seq, ts: t, type: 'page', event: null, userId, payload: { type: 'page', context, properties: {} } };
      // Steps go as far as chance takes them: 70 % go on at each step.
      const category = pick(CATEGORIES);
      for (let k = 0; k < STEPS.length && (k === 0 || rand() < 0.7); k++) {
        t += Math.floor(rand() * 5 * 60_000);
        const event = STEPS[k];
        const properties = event === 'Order Completed' ? { revenue: Math.round(rand() * 20_000) / 100, category } : { category };
        yield { seq: ++seq, ts: t, type: 'track', event, userId, payload: { type: 'track', event, properties, context: { userAgent: ua, location: { country } } } };
      }
      t += Math.floor(gap * (0.5 + rand()));
    }
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
async function time<T>(fn: () => Promise<T>): Promise<{ cold: number; warm: number }> {
  let t0 = performance.now();
  await fn();
  const cold = performance.now() - t0;
  const runs: number[] = [];
  for (let i = 0; i < WARM_RUNS; i++) {
    t0 = performance.now();
    await fn();
    runs.push(performance.now() - t0);
  }
  return { cold, warm: median(runs) };
}

rmSync(DIR, { recursive: true, force: true });
mkdirSync(DIR, { recursive: true });
const storage = await openStorage({ dataDir: DIR, databaseUrl: process.env.BENCH_DATABASE_URL });
const { db, dialect } = storage;
await sql`CREATE TABLE bench_raw_events (seq BIGINT PRIMARY KEY, ts BIGINT NOT NULL, user_id TEXT, event TEXT, payload TEXT NOT NULL)`.execute(db);

const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
console.log(`analytics bench: ${EVENTS.toLocaleString('en')} events wanted over ${PROFILES.toLocaleString('en')} profiles, nproc ${cpus().length}, node ${process.version}, load ${load()}, store ${dialect.name}`);
let events = 0;
let rollupMs = 0;
let rollupCpuUs = 0;
let batch: BenchEvent[] = [];
const tGen = performance.now();
const flush = async () => {
  // Identity first, as the pipeline's identity stage would have done: the stage counts each key under its profile.
  const keys = [...new Set(batch.map((e) => e.userId))];
  const touches: Record<string, unknown>[] = [];
  for (const e of batch) {
    const url = (e.payload.context as { page?: { url: string } }).page?.url;
    if (!url?.includes('utm_source')) continue;
    const q = new URL(url).searchParams;
    const source = q.get('utm_source');
    const channel = source === 'google' ? 'google_ads' : source === 'facebook' ? 'meta' : source;
    touches.push({ seq: e.seq, source_id: 'bench', day: new Date(e.ts).toISOString().slice(0, 10), ts: e.ts, channel, utm_source: source, utm_medium: null, utm_campaign: q.get('utm_campaign'), utm_term: null, utm_content: null, click_id_type: null, click_id: null, user_id: e.userId, anonymous_id: null });
  }
  await db.transaction().execute(async (trx) => {
    const ids = keys.map((u) => ({ key: `user_id:${u}`, type: 'user_id', value: u, profile_id: `p_${u}`, component_id: `p_${u}` }));
    await insertRows(trx, dialect, 'identity_identifiers', ['key', 'type', 'value', 'profile_id', 'component_id'], ids, 'ON CONFLICT (key) DO NOTHING');
    await insertRows(trx, dialect, 'campaign_touches', TOUCH_COLUMNS, touches as never[]);
    const raw = batch.map((e) => ({ seq: e.seq, ts: e.ts, user_id: e.userId, event: e.event, payload: JSON.stringify(e.payload) }));
    await insertRows(trx, dialect, 'bench_raw_events' as never, ['seq', 'ts', 'user_id', 'event', 'payload'] as never[], raw as never[]);
  });
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await dialect.derivedTransaction(db, (trx) => applyAnalytics(trx, dialect, batch));
  const c1 = process.cpuUsage(c0);
  rollupCpuUs += c1.user + c1.system;
  rollupMs += performance.now() - t0;
  const n = batch.length;
  events += n;
  batch = [];
  if (events % 1_000_000 < n)
    console.log(`  ${events.toLocaleString('en')} events loaded, ${((performance.now() - tGen) / 1000).toFixed(0)} s, rollup ${((rollupMs / events) * 1000).toFixed(1)} ms wall / ${(rollupCpuUs / events).toFixed(1)} ms CPU per 1,000, load ${load()}`);
};
for (const e of generate()) {
  // A batch ends between two profiles (the pipeline keeps a person's events in order within a batch).
  if (batch.length >= BATCH && batch.at(-1)!.userId !== e.userId) await flush();
  batch.push(e);
}
await flush();
await db.transaction().execute(async (trx) => {
  const spend = [];
  for (let d = 0; d < DAYS; d++)
    for (const [channel, campaign] of [['google_ads', 'spring'], ['meta', 'brand'], ['baidu', 'launch']])
      spend.push({ day: new Date(START + d * DAY).toISOString().slice(0, 10), channel, account_id: 'a', campaign_id: campaign, campaign_name: campaign, currency: 'USD', cost_micros: 500_000_000, impressions: 1000, clicks: 50, conversions: null, updated_at: 0 });
  await trx.insertInto('campaign_spend').values(spend).execute();
});
// SQLite: the log file is attached read-only, so name the main schema for the index and the statistics.
const main = dialect.name === 'sqlite' ? sql.raw('main.') : sql.raw('');
await sql`CREATE INDEX ${main}bench_raw_events_ts ON bench_raw_events(ts)`.execute(db);
await sql.raw(dialect.name === 'sqlite' ? 'ANALYZE main' : 'ANALYZE').execute(db);
const count = async (table: string) => Number((await sql<{ n: number }>`SELECT COUNT(*) AS n FROM ${sql.table(table)}`.execute(db)).rows[0].n);
const [hourlyRows, dimRows, countRows, people] = [await count('analytics_hourly'), await count('analytics_dims'), await count('analytics_counts'), await count('analytics_people')];
console.log(`generated and loaded ${events.toLocaleString('en')} events of ${people.toLocaleString('en')} profiles in ${((performance.now() - tGen) / 1000).toFixed(1)} s`);
console.log(`rows: per-person hourly ${hourlyRows.toLocaleString('en')} (${(events / hourlyRows).toFixed(1)} events per row), dimension rollup ${dimRows.toLocaleString('en')}, distinct-profile counters ${countRows.toLocaleString('en')}`);
// CPU time next to wall time: on a shared machine the wall time mostly measures the wait for a core.
console.log(
  `rollup (analytics stage apply, batches of ${BATCH.toLocaleString('en')}): ${(rollupMs / 1000).toFixed(1)} s wall, ${((rollupMs / events) * 1000).toFixed(2)} ms wall and ${(rollupCpuUs / events).toFixed(2)} ms CPU (this process) per 1,000 events`,
);

const window = { from: '2026-03-01', to: '2026-05-29' };
const utc = await resolveScope(db, { ...window, granularity: 'day' });
const baseline = await time(async () => {
  const revenue = dialect.name === 'sqlite' ? sql`json_extract(payload, '$.properties.revenue')` : sql`(payload::jsonb -> 'properties' ->> 'revenue')::double precision`;
  await sql`SELECT ts / ${sql.lit(DAY)} AS day, COUNT(DISTINCT user_id) AS active,
      SUM(CASE WHEN event = 'Order Completed' THEN 1 ELSE 0 END) AS orders,
      SUM(CASE WHEN event = 'Order Completed' THEN ${revenue} ELSE 0 END) AS revenue
    FROM bench_raw_events WHERE ts >= ${utc.lo} AND ts < ${utc.hi} GROUP BY ts / ${sql.lit(DAY)}`.execute(db);
});
// Each line as soon as it is measured: a slow query on a loaded machine still shows the ones before it.
const line = (name: string, r: { cold: number; warm: number }) =>
  console.log(`${name.padEnd(64)}${r.cold.toFixed(0).padStart(8)}${r.warm.toFixed(0).padStart(10)}${(r.warm / baseline.warm).toFixed(3).padStart(12)}`);
console.log(`\nqueries (load ${load()})                                    cold ms   warm ms   warm / baseline warm`);
line('baseline: raw scan, daily orders/revenue/actives, 90 days (UTC)', baseline);
const run = async (name: string, fn: () => Promise<unknown>) => line(name, await time(fn));
const year = { from: '2026-01-01', to: '2026-12-31' };
const steps = STEPS.map((event) => ({ event }));
await run('KPIs per day, 90 days, UTC (rollups)', async () => kpis(db, await resolveScope(db, { ...window, granularity: 'day' }), window.from, window.to));
await run('KPIs per month, 12 months, UTC (rollups)', async () => kpis(db, await resolveScope(db, { ...year, granularity: 'month' }), year.from, year.to));
await run('12-month cohort table, first-seen months (rollups)', async () => retention(db, await resolveScope(db, { ...year, granularity: 'month' }), 'first_seen'));
await run('5-step funnel, 30 days, 1-day window (event facts)', async () => {
  const w = { from: '2026-03-01', to: '2026-03-30' };
  return funnel(db, dialect, await resolveScope(db, w), { ...w, timeZone: 'UTC', steps: [{ event: '$pageview' }, ...steps], windowSeconds: 86_400 });
});
await run('per-person path: KPIs per day, 90 days, Asia/Taipei', async () => kpis(db, await resolveScope(db, { ...window, granularity: 'day', timeZone: 'Asia/Taipei' }), window.from, window.to));
await run('per-person path: cohort table from 01-02 (months clipped)', async () => retention(db, await resolveScope(db, { ...year, from: '2026-01-02', granularity: 'month' }), 'first_seen'));
await run('event facts: KPIs per week by channel, 90 days', async () => kpis(db, await resolveScope(db, { ...window, granularity: 'week', breakdown: 'channel' }), window.from, window.to));
await run('event facts: web sessions, 7 days', async () => web(db, await resolveScope(db, { from: '2026-03-01', to: '2026-03-07' }), 10));
await run('event facts: paths after Product Viewed, 7 days', async () => paths(db, await resolveScope(db, { from: '2026-03-01', to: '2026-03-07' }), { anchor: 'Product Viewed', kind: 'events', direction: 'next', limit: 10 }));
await run('event facts: ROI, linear attribution, 30 days', async () => roi(db, await resolveScope(db, { from: '2026-03-01', to: '2026-03-30' }), 'linear', 30));

console.log(`\n(load ${load()}; shared machine: compare ratios within one run)`);
await storage.close();
rmSync(DIR, { recursive: true, force: true });
