// Console benchmark (`npm run bench:console`), embedded store, the built product.
// (a) Size: gzip bytes of the JS and CSS the initial route loads (the entry chunk of dist/console's Vite
//     manifest and its static imports), beside the whole console's (baseline: the ratio shows what
//     code-splitting keeps off the first load).
// (b) Time to interactive, in Chromium, against a local server holding BENCH_CONSOLE_PROFILES profiles
//     (each: an identify and two orders, normalised and appended to the log as the importer does, then
//     every pipeline stage run in-process: see load()): from navigation
//     start until the dashboard shows the profile count, and until a profile page shows the customer's
//     identifiers and timeline; median of BENCH_CONSOLE_RUNS warm loads and the first (cold) load.
//     Baseline in the same run: the sign-in page (the app shell, no API data).
// Settings (env): BENCH_CONSOLE_PROFILES (20000; the full size is 1000000: 3M events through the
//     pipeline, minutes of loading), BENCH_CONSOLE_RUNS (5), BENCH_DIR (.bench), BENCH_CONSOLE_REUSE (1:
//     keep the store an earlier run left: resume its loading, or measure it again after a fix),
//     BENCH_CONSOLE_LOAD_BUDGET_S (stop loading after this long and measure the profiles loaded so far).
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import type { NormaliseContext } from '../src/ingest/index.js';
import type { NewLogEvent } from '../src/log/index.js';
import { launchBrowser } from '../test/helpers/browser.js';
import { built } from './built.js';

const { loadConfig } = await built<typeof import('../src/config.js')>('config.js');
const { createMeridian } = await built<typeof import('../src/main.js')>('main.js');
const { normalise } = await built<typeof import('../src/ingest/index.js')>('ingest/index.js');
const { CONSOLE_DIR } = await built<typeof import('../src/http/console.js')>('http/console.js');

const PROFILES = Number(process.env.BENCH_CONSOLE_PROFILES ?? 20_000);
const RUNS = Number(process.env.BENCH_CONSOLE_RUNS ?? 5);
/** 1: keep the store an earlier run left in BENCH_DIR: resume its loading up to PROFILES, or measure it again (after a fix). */
const REUSE = process.env.BENCH_CONSOLE_REUSE === '1';
/** Seconds of loading after which no new chunk is started: the run then measures what was loaded. */
const BUDGET_S = Number(process.env.BENCH_CONSOLE_LOAD_BUDGET_S ?? Infinity);
const BENCH_DIR = resolve(process.env.BENCH_DIR ?? '.bench');
const ADMIN = randomBytes(24).toString('hex');
const DAY = 86_400_000;

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function sizes() {
  const manifest = JSON.parse(readFileSync(join(CONSOLE_DIR, '.vite/manifest.json'), 'utf8')) as Record<string, { file: string; imports?: string[]; css?: string[]; isEntry?: boolean }>;
  const gz = (file: string) => gzipSync(readFileSync(join(CONSOLE_DIR, file)), { level: 9 }).length;
  const initial = new Set<string>();
  const visit = (key: string) => {
    const chunk = manifest[key];
    if (initial.has(chunk.file)) return;
    initial.add(chunk.file);
    for (const css of chunk.css ?? []) initial.add(css);
    for (const imp of chunk.imports ?? []) visit(imp);
  };
  visit(Object.keys(manifest).find((k) => manifest[k].isEntry)!);
  const all = new Set(Object.values(manifest).flatMap((c) => [c.file, ...(c.css ?? [])]));
  const sum = (files: Set<string>, ext: RegExp) => [...files].filter((f) => ext.test(f)).reduce((n, f) => n + gz(f), 0);
  return {
    initialJs: sum(initial, /\.js$/),
    initialCss: sum(initial, /\.css$/),
    allJs: sum(all, /\.js$/),
    allCss: sum(all, /\.css$/),
    rawInitial: [...initial].reduce((n, f) => n + statSync(join(CONSOLE_DIR, f)).size, 0),
  };
}

/** The tracking calls one bench profile sends: an identify and two orders (seeded by the profile's index). */
function profileMessages(i: number, now: number) {
  const userId = `u${i}`;
  const out: { type: 'identify' | 'track'; message: Record<string, unknown> }[] = [
    { type: 'identify', message: { userId, messageId: `bench-${i}-0`, traits: { email: `${userId}@example.com`, name: `Customer ${i}`, plan: i % 5 ? 'free' : 'pro' } } },
  ];
  for (let o = 0; o < 2; o++)
    out.push({ type: 'track', message: { userId, messageId: `bench-${i}-${o + 1}`, event: 'Order Completed', properties: { total: (i * 7 + o * 31) % 500 }, timestamp: new Date(now - ((i + o * 13) % 120) * DAY).toISOString() } });
  return out;
}

/**
 * Fills a fresh embedded store with PROFILES profiles the way the product's own bulk path does (the
 * importer's): each tracking call goes through `normalise` (the tracking API's validation and shape) and
 * `EventLog.append` (dedupe, suppression screen, the log writer thread), in chunks of CHUNK profiles; after
 * each chunk every real pipeline stage is drained (identity → profiles and timelines → segments → campaign
 * touches → analytics facts and rollups → destinations, journeys), while the next chunk is already being
 * appended. What the store holds at the end is what it would hold after the tracking API took the same
 * events; what is skipped is only HTTP (Basic auth, JSON parsing of request bodies), which the ingest
 * benchmark measures.
 */
async function load() {
  const dataDir = join(BENCH_DIR, 'console');
  const stateFile = join(dataDir, 'bench-console-state.json');
  const state: { loaded: number; now: number } | null = REUSE && existsSync(stateFile) ? JSON.parse(readFileSync(stateFile, 'utf8')) : null;
  if (!state) rmSync(dataDir, { recursive: true, force: true });
  const meridian = await createMeridian(loadConfig({ port: 0, host: '127.0.0.1', dataDir, logLevel: 'error', adminKey: ADMIN }, {}));
  const source = state ? (await meridian.sources.list())[0] : await meridian.sources.create({ name: 'bench web', type: 'web' });
  const now = state?.now ?? Date.now();
  const first = state?.loaded ?? 0;
  if (state) console.log(`reusing the store an earlier run left in ${dataDir}: ${first} profiles`);
  const t0 = performance.now();
  const CHUNK = 10_000; // profiles (30,000 events) per append + drain round
  const APPEND = 5_000; // events per EventLog.append call (the importer's batch size)
  const appendChunk = async (from: number) => {
    const ctx: NormaliseContext = { sourceId: source.id, receivedAt: Date.now(), futureToleranceMs: meridian.config.futureToleranceMs, maxEventBytes: meridian.config.maxEventBytes };
    let batch: NewLogEvent[] = [];
    for (let i = from; i < Math.min(PROFILES, from + CHUNK); i++) {
      for (const m of profileMessages(i, now)) batch.push(normalise(m.type, m.message, ctx));
      if (batch.length >= APPEND) {
        await meridian.log.append(batch);
        batch = [];
      }
    }
    await meridian.log.append(batch);
    return Math.min(PROFILES, from + CHUNK);
  };
  const overBudget = () => performance.now() - t0 > BUDGET_S * 1000;
  let loaded = first;
  let tick = t0;
  // The next chunk is appended (the log writer thread) while the stages work through the previous one.
  let appending: Promise<number> | null = first < PROFILES ? appendChunk(first) : null;
  while (appending) {
    const upTo = await appending;
    appending = upTo < PROFILES && !overBudget() ? appendChunk(upTo) : null;
    await meridian.drainPipeline();
    loaded = upTo;
    writeFileSync(stateFile, JSON.stringify({ loaded, now }));
    if (performance.now() - tick > 60_000 || !appending) {
      tick = performance.now();
      console.log(`  … ${loaded} profiles loaded, ${((tick - t0) / 1000).toFixed(0)} s, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    }
  }
  const took = ((performance.now() - t0) / 1000).toFixed(1);
  if (loaded > first) console.log(`loaded ${loaded - first} profiles (${(loaded - first) * 3} events: log append + every pipeline stage, in-process) in ${took} s`);
  if (loaded < PROFILES) console.log(`loading stopped by BENCH_CONSOLE_LOAD_BUDGET_S=${BUDGET_S} at ${loaded} of ${PROFILES} profiles: measuring at ${loaded} (BENCH_CONSOLE_REUSE=1 resumes)`);
  const base = await meridian.listen();
  return { meridian, base, loaded };
}

/** ms from navigation start until `ready` holds in the page. */
async function timeTo(page: Page, url: string, ready: () => Promise<unknown>) {
  await page.goto('about:blank');
  const t0 = performance.now();
  await page.goto(url, { waitUntil: 'commit' });
  await ready();
  return performance.now() - t0;
}

const s = sizes();
console.log(`machine: ${cpus().length} cpus (${cpus()[0]?.model}), node ${process.version}`);
console.log(`initial route: JS ${kb(s.initialJs)} + CSS ${kb(s.initialCss)} gzip (${kb(s.rawInitial)} raw)`);
console.log(`whole console: JS ${kb(s.allJs)} + CSS ${kb(s.allCss)} gzip; initial / whole = ${((s.initialJs + s.initialCss) / (s.allJs + s.allCss)).toFixed(2)}`);

const { meridian, base, loaded } = await load();
const browser = await launchBrowser();
try {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'en-US' });
  const page = await context.newPage();
  page.setDefaultTimeout(120_000);
  const count = new Intl.NumberFormat('en-US').format(loaded);
  const signInReady = () => page.getByLabel('Email', { exact: true }).waitFor();
  const dashboardReady = () => page.locator('.ant-statistic-content').filter({ hasText: count }).first().waitFor();
  const probe = `u${Math.floor(loaded / 2)}@example.com`;
  const profileReady = async () => {
    await page.getByTestId('identities').getByText(`email: ${probe}`).waitFor();
    await page.getByTestId('timeline-entry').first().waitFor();
  };

  const coldSignIn = await timeTo(page, base + '/sign-in', signInReady);
  await page.getByRole('tab', { name: 'With an API key' }).click();
  await page.getByLabel('API key', { exact: true }).fill(ADMIN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/overview');
  const coldDashboard = await timeTo(page, base + '/overview', dashboardReady);
  const coldProfile = await timeTo(page, `${base}/customers/email/${encodeURIComponent(probe)}`, profileReady);
  const runs = { signIn: [] as number[], dashboard: [] as number[], profile: [] as number[] };
  for (let i = 0; i < RUNS; i++) {
    // The sign-in page redirects a signed-in tab: measure it in a fresh tab of the same (warm-cache) context.
    const other = await context.newPage();
    const t0 = performance.now();
    await other.goto(base + '/sign-in', { waitUntil: 'commit' });
    await other.getByLabel('Email', { exact: true }).waitFor();
    runs.signIn.push(performance.now() - t0);
    await other.close();
    runs.dashboard.push(await timeTo(page, base + '/overview', dashboardReady));
    runs.profile.push(await timeTo(page, `${base}/customers/email/${encodeURIComponent(probe)}`, profileReady));
  }
  const ms = (x: number) => `${x.toFixed(0)} ms`;
  console.log(`profiles: ${loaded}; runs: ${RUNS} warm (median) after one cold load`);
  console.log(`sign-in page (baseline): cold ${ms(coldSignIn)}, warm ${ms(median(runs.signIn))}`);
  console.log(`dashboard interactive:   cold ${ms(coldDashboard)}, warm ${ms(median(runs.dashboard))} = ${(median(runs.dashboard) / median(runs.signIn)).toFixed(2)}x baseline`);
  console.log(`profile page:            cold ${ms(coldProfile)}, warm ${ms(median(runs.profile))} = ${(median(runs.profile) / median(runs.signIn)).toFixed(2)}x baseline`);
} finally {
  await browser.close();
  await meridian.close();
}
