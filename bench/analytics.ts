// Analytics benchmark (`npm run bench:analytics`), embedded store (or PostgreSQL with BENCH_DATABASE_URL).
// Generates BENCH_ANALYTICS_PROFILES profiles (100,000) × ~10 events (1M) over 90 days in code (seeded),
// runs them through the analytics stage's apply (the rollup cost per 1,000 events), then times the
// queries cold (first run) and warm (median of BENCH_ANALYTICS_RUNS, 3): KPIs per day, KPIs by channel, a 3-step funnel,
// a weekly retention table, web sessions over 7 days, paths, ROI.
// Baseline in the same run: the KPI figures (orders, revenue, distinct active people per day) computed
// by a plain scan of the raw events with their JSON payloads — what every dashboard query would cost
// without the facts and the rollup.
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
import { chunkRows, openStorage } from '../src/storage/index.js';
import { rng } from './rng.js';

const PROFILES = Number(process.env.BENCH_ANALYTICS_PROFILES ?? 100_000);
const DIR = resolve(process.env.BENCH_DIR ?? '.bench', 'analytics');
const DAY = 86_400_000;
const START = Date.UTC(2026, 0, 1);
const DAYS = 90;
const WARM_RUNS = Number(process.env.BENCH_ANALYTICS_RUNS ?? 3);

const rand = rng(42);
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
const SOURCES = ['google', 'facebook', 'baidu', 'newsletter', null, null, null] as const;
const CAMPAIGNS = ['spring', 'brand', 'retarget', 'launch'];
const CATEGORIES = ['shoes', 'bags', 'hats', 'shirts', 'watches'];
const PAGES = ['/', '/shoes', '/bags', '/sale', '/blog', '/about'];
const UAS = ['Mozilla/5.0 (Windows NT 10.0)', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0)', 'Mozilla/5.0 (iPad; CPU OS 17_0)'];

/** One profile's sessions: a landing page (sometimes from a campaign), views, carts, sometimes an order. */
function* generate(): Generator<LogEventLike & { event: string | null; userId: string }> {
  let seq = 0;
  for (let p = 0; p < PROFILES; p++) {
    const userId = `u${p}`;
    const ua = pick(UAS);
    const country = pick(['TW', 'CN', 'US', 'JP', 'DE']);
    const sessions = 1 + Math.floor(rand() * 3);
    let t = START + Math.floor(rand() * (DAYS - 7) * DAY);
    for (let s = 0; s < sessions; s++) {
      const source = pick(SOURCES);
      const query = source ? `?utm_source=${source}&utm_campaign=${pick(CAMPAIGNS)}` : '';
      const context = { userAgent: ua, location: { country }, page: { url: `https://shop.example.com${pick(PAGES)}${query}` } };
      yield { seq: ++seq, ts: t, type: 'page', event: null, userId, payload: { type: 'page', context, properties: {} } };
      const steps = 2 + Math.floor(rand() * 3);
      const category = pick(CATEGORIES);
      for (let k = 0; k < steps; k++) {
        t += Math.floor(rand() * 5 * 60_000);
        const event = k === steps - 1 && rand() < 0.3 ? 'Order Completed' : k > 1 ? 'Add to Cart' : 'Product Viewed';
        const properties = event === 'Order Completed' ? { revenue: Math.round(rand() * 20_000) / 100, category } : { category };
        yield { seq: ++seq, ts: t, type: 'track', event, userId, payload: { type: 'track', event, properties, context: { userAgent: ua, location: { country } } } };
      }
      t += DAY + Math.floor(rand() * 10 * DAY);
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

console.log(`analytics bench: ${PROFILES.toLocaleString('en')} profiles, nproc ${cpus().length}, node ${process.version}, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}, store ${dialect.name}`);
let events = 0;
let rollupMs = 0;
let rollupCpuUs = 0;
let batch: (LogEventLike & { event: string | null; userId: string })[] = [];
const identifiers = new Map<string, string>();
const touches: object[] = [];
const flush = async () => {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await dialect.derivedTransaction(db, (trx) => applyAnalytics(trx, dialect, batch));
  const c1 = process.cpuUsage(c0);
  rollupCpuUs += c1.user + c1.system;
  rollupMs += performance.now() - t0;
  await db.transaction().execute(async (trx) => {
    const raw = batch.map((e) => ({ seq: e.seq, ts: e.ts, user_id: e.userId, event: e.event, payload: JSON.stringify(e.payload) }));
    for (const c of chunkRows(raw, 5, dialect)) await sql`INSERT INTO bench_raw_events (seq, ts, user_id, event, payload) VALUES ${sql.join(c.map((r) => sql`(${r.seq}, ${r.ts}, ${r.user_id}, ${r.event}, ${r.payload})`))}`.execute(trx);
  });
  events += batch.length;
  batch = [];
};
const tGen = performance.now();
for (const e of generate()) {
  batch.push(e);
  identifiers.set(`user_id:${e.userId}`, `p_${e.userId}`);
  const url = (e.payload.context as { page?: { url: string } }).page?.url;
  if (url?.includes('utm_source')) {
    const q = new URL(url).searchParams;
    touches.push({ seq: e.seq, source_id: 'bench', day: new Date(e.ts).toISOString().slice(0, 10), ts: e.ts, channel: q.get('utm_source') === 'google' ? 'google_ads' : q.get('utm_source') === 'facebook' ? 'meta' : q.get('utm_source'), utm_source: q.get('utm_source'), utm_medium: null, utm_campaign: q.get('utm_campaign'), utm_term: null, utm_content: null, click_id_type: null, click_id: null, user_id: e.userId, anonymous_id: null });
  }
  if (batch.length === 5_000) await flush();
}
await flush();
await db.transaction().execute(async (trx) => {
  const rows = [...identifiers].map(([key, profile]) => ({ key, type: 'user_id', value: key.slice(8), profile_id: profile, component_id: profile }));
  for (const c of chunkRows(rows, 5, dialect)) await trx.insertInto('identity_identifiers').values(c).execute();
  for (const c of chunkRows(touches as never[], 14, dialect)) await trx.insertInto('campaign_touches').values(c).execute();
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
const hourlyRows = Number((await sql<{ n: number }>`SELECT COUNT(*) AS n FROM analytics_hourly`.execute(db)).rows[0].n);
console.log(`generated and loaded ${events.toLocaleString('en')} events in ${((performance.now() - tGen) / 1000).toFixed(1)} s; hourly rollup rows ${hourlyRows.toLocaleString('en')} (${(events / hourlyRows).toFixed(1)} events per row)`);
// CPU time next to wall time: on a shared machine the wall time mostly measures the wait for a core.
console.log(
  `rollup (analytics stage apply): ${(rollupMs / 1000).toFixed(1)} s wall, ${((rollupMs / events) * 1000).toFixed(2)} ms wall and ${(rollupCpuUs / events).toFixed(2)} ms CPU (this process) per 1,000 events`,
);

const window = { from: '2026-01-01', to: '2026-03-31' };
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
  console.log(`${name.padEnd(56)}${r.cold.toFixed(0).padStart(8)}${r.warm.toFixed(0).padStart(10)}${(r.warm / baseline.warm).toFixed(2).padStart(12)}`);
console.log('\nquery                                                   cold ms   warm ms   warm / baseline warm');
line('baseline: raw scan, daily orders/revenue/actives (UTC)', baseline);
const run = async (name: string, fn: () => Promise<unknown>) => line(name, await time(fn));
await run('KPIs per day, 90 days (UTC, rollup)', async () => kpis(db, await resolveScope(db, { ...window, granularity: 'day' }), window.from, window.to));
await run('KPIs per day, 90 days (Asia/Taipei, rollup)', async () => kpis(db, await resolveScope(db, { ...window, granularity: 'day', timeZone: 'Asia/Taipei' }), window.from, window.to));
await run('KPIs per week by channel', async () => kpis(db, await resolveScope(db, { ...window, granularity: 'week', breakdown: 'channel' }), window.from, window.to));
await run('KPIs per day (Asia/Kolkata: event facts)', async () => kpis(db, await resolveScope(db, { ...window, granularity: 'day', timeZone: 'Asia/Kolkata' }), window.from, window.to));
const steps = [{ event: 'Product Viewed' }, { event: 'Add to Cart' }, { event: 'Order Completed' }];
await run('funnel, 3 steps, 1 h window', async () => funnel(db, dialect, await resolveScope(db, window), { ...window, timeZone: 'UTC', steps, windowSeconds: 3600 }));
await run('retention + LTV, weekly cohorts', async () => retention(db, await resolveScope(db, { ...window, granularity: 'week' }), 'first_seen'));
await run('web sessions, 7 days', async () => web(db, await resolveScope(db, { from: '2026-03-01', to: '2026-03-07' }), 10));
await run('paths after Product Viewed, 30 days', async () => paths(db, await resolveScope(db, { from: '2026-03-01', to: '2026-03-30' }), { anchor: 'Product Viewed', kind: 'events', direction: 'next', limit: 10 }));
await run('ROI, linear attribution', async () => roi(db, await resolveScope(db, window), 'linear', 30));

console.log('\n(shared, loaded machine: figures are noisy; compare ratios within one run)');
await storage.close();
rmSync(DIR, { recursive: true, force: true });
