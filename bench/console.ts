// Console benchmark (`npm run bench:console`), embedded store, the built product.
// (a) Size: gzip bytes of the JS and CSS the initial route loads (the entry chunk of dist/console's Vite
//     manifest and its static imports), beside the whole console's (baseline: the ratio shows what
//     code-splitting keeps off the first load).
// (b) Time to interactive, in Chromium, against a local server holding BENCH_CONSOLE_PROFILES profiles
//     (each: an identify and two orders, through the tracking API and the real pipeline): from navigation
//     start until the dashboard shows the profile count, and until a profile page shows the customer's
//     identifiers and timeline; median of BENCH_CONSOLE_RUNS warm loads and the first (cold) load.
//     Baseline in the same run: the sign-in page (the app shell, no API data).
// Settings (env): BENCH_CONSOLE_PROFILES (20000; the full size is 1000000: loading it through the
//     pipeline takes minutes), BENCH_CONSOLE_RUNS (5), BENCH_DIR (.bench).
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../test/helpers/browser.js';
import { built } from './built.js';

const { loadConfig } = await built<typeof import('../src/config.js')>('config.js');
const { createMeridian } = await built<typeof import('../src/main.js')>('main.js');
const { CONSOLE_DIR } = await built<typeof import('../src/http/console.js')>('http/console.js');

const PROFILES = Number(process.env.BENCH_CONSOLE_PROFILES ?? 20_000);
const RUNS = Number(process.env.BENCH_CONSOLE_RUNS ?? 5);
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

async function load(url: string) {
  const dataDir = join(BENCH_DIR, 'console');
  rmSync(dataDir, { recursive: true, force: true });
  const meridian = await createMeridian(loadConfig({ port: 0, host: '127.0.0.1', dataDir, logLevel: 'error', adminKey: ADMIN }, {}));
  const base = await meridian.listen();
  const created = await fetch(base + '/v1/sources', { method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'bench web', type: 'web' }) });
  const { writeKey } = (await created.json()) as { writeKey: string };
  const t0 = performance.now();
  const now = Date.now();
  const BATCH = 150; // profiles per request: 450 events, well under the 500 KB limit
  const inFlight = new Set<Promise<void>>();
  for (let from = 0; from < PROFILES; from += BATCH) {
    const batch = [];
    for (let i = from; i < Math.min(PROFILES, from + BATCH); i++) {
      const userId = `u${i}`;
      batch.push({ type: 'identify', userId, traits: { email: `${userId}@example.com`, name: `Customer ${i}`, plan: i % 5 ? 'free' : 'pro' } });
      for (let o = 0; o < 2; o++)
        batch.push({ type: 'track', userId, event: 'Order Completed', properties: { total: (i * 7 + o * 31) % 500 }, timestamp: new Date(now - ((i + o * 13) % 120) * DAY).toISOString() });
    }
    const p = fetch(base + '/v1/batch', { method: 'POST', headers: { authorization: 'Basic ' + Buffer.from(writeKey + ':').toString('base64'), 'content-type': 'application/json' }, body: JSON.stringify({ batch }) }).then(async (r) => {
      if (r.status !== 200) throw new Error(`batch: ${r.status} ${await r.text()}`);
    });
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
    if (inFlight.size >= 8) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  await meridian.drainPipeline();
  console.log(`loaded ${PROFILES} profiles (${PROFILES * 3} events) through the pipeline in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return { meridian, base: url || base };
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

const { meridian, base } = await load('');
const browser = await launchBrowser();
try {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'en-US' });
  const page = await context.newPage();
  page.setDefaultTimeout(120_000);
  const count = new Intl.NumberFormat('en-US').format(PROFILES);
  const signInReady = () => page.getByLabel('API key').waitFor();
  const dashboardReady = () => page.locator('.ant-statistic-content').filter({ hasText: count }).first().waitFor();
  const probe = `u${Math.floor(PROFILES / 2)}@example.com`;
  const profileReady = async () => {
    await page.getByTestId('identities').getByText(`email: ${probe}`).waitFor();
    await page.locator('.ant-timeline-item').first().waitFor();
  };

  const coldSignIn = await timeTo(page, base + '/sign-in', signInReady);
  await page.getByLabel('API key').fill(ADMIN);
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
    await other.getByLabel('API key').waitFor();
    runs.signIn.push(performance.now() - t0);
    await other.close();
    runs.dashboard.push(await timeTo(page, base + '/overview', dashboardReady));
    runs.profile.push(await timeTo(page, `${base}/customers/email/${encodeURIComponent(probe)}`, profileReady));
  }
  const ms = (x: number) => `${x.toFixed(0)} ms`;
  console.log(`profiles: ${PROFILES}; runs: ${RUNS} warm (median) after one cold load`);
  console.log(`sign-in page (baseline): cold ${ms(coldSignIn)}, warm ${ms(median(runs.signIn))}`);
  console.log(`dashboard interactive:   cold ${ms(coldDashboard)}, warm ${ms(median(runs.dashboard))} = ${(median(runs.dashboard) / median(runs.signIn)).toFixed(2)}x baseline`);
  console.log(`profile page:            cold ${ms(coldProfile)}, warm ${ms(median(runs.profile))} = ${(median(runs.profile) / median(runs.signIn)).toFixed(2)}x baseline`);
} finally {
  await browser.close();
  await meridian.close();
}
