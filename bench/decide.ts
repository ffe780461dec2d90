// Personalisation benchmark (`npm run bench:decide`), embedded store.
// BENCH_DECIDE_PROFILES profiles (default 100,000; the full size is 1,000,000) are bulk-loaded
// straight into the profile store (identifiers, traits, segment memberships, tags, 3 events each);
// then BENCH_DECIDE_CONCURRENCY clients call POST /v1/decide for random visitors for
// BENCH_DECIDE_SECONDS against a placement of 5 rules (segment, tag, recent event, trait + context, A/B).
// Baseline in the same run and from the same client: a bare node:http server that checks the Basic
// write key, parses the JSON body and answers a fixed decision — the least a decide endpoint does.
// Prints p50/p99 latency and req/s of both and the ratios, plus nproc and the Node version.
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import SQLite from 'better-sqlite3';
import { built } from './built.js';
import { rng } from './rng.js';

const { loadConfig } = await built<typeof import('../src/config.js')>('config.js');
const { createMeridian } = await built<typeof import('../src/main.js')>('main.js');

const PROFILES = Number(process.env.BENCH_DECIDE_PROFILES ?? 100_000);
const SECONDS = Number(process.env.BENCH_DECIDE_SECONDS ?? 10);
const CONCURRENCY = Number(process.env.BENCH_DECIDE_CONCURRENCY ?? 16);
const BENCH_DIR = resolve(process.env.BENCH_DIR ?? '.bench');
const ADMIN = randomBytes(24).toString('hex');
const DAY = 86_400_000;

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];


const dataDir = join(BENCH_DIR, 'decide');
rmSync(dataDir, { recursive: true, force: true });
mkdirSync(dataDir, { recursive: true });
const config = loadConfig({ port: 0, host: '127.0.0.1', dataDir, logLevel: 'error', adminKey: ADMIN }, {});

// 1. Schema, a source and the VIP segment through the API.
let meridian = await createMeridian(config);
let url = await meridian.listen();
const admin = async (path: string, body: unknown) => {
  const r = await fetch(url + path, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (r.status >= 300) throw new Error(`${path}: ${r.status} ${await r.text()}`);
  return (await r.json()) as Record<string, string>;
};
const { writeKey } = await admin('/v1/sources', { name: 'bench', type: 'server' });
const vip = (await admin('/v1/segments', { name: 'VIP', rule: { version: 1, root: { type: 'trait', path: 'plan', op: 'equals', value: 'gold' } } })).id;
await meridian.close();

// 2. Bulk-load the profile store directly (what identity and segments would have written).
const t0 = performance.now();
const now = Date.now();
const conn = new SQLite(join(dataDir, 'meridian.db'));
conn.pragma('journal_mode = WAL');
const random = rng(7);
const CITIES = ['Taipei', 'Tokyo', 'Osaka', 'Paris', 'Berlin', 'Lagos'];
const EVENTS = ['Product Viewed', 'Product Added', 'Order Completed', 'Page Viewed'];
const insId = conn.prepare('INSERT INTO identity_identifiers (key, type, value, profile_id, component_id) VALUES (?, ?, ?, ?, ?)');
const insProfile = conn.prepare('INSERT INTO profiles (id, traits, computed, created_at, updated_at) VALUES (?, ?, ?, ?, ?)');
const insMember = conn.prepare('INSERT INTO segment_memberships (segment_id, profile_id, entered_at, trigger_seq) VALUES (?, ?, ?, NULL)');
const insTag = conn.prepare('INSERT INTO profile_tags (tag, profile_id, created_at) VALUES (?, ?, ?)');
const insEvent = conn.prepare('INSERT INTO profile_events (seq, profile_id, type, ts, event, properties) VALUES (?, ?, ?, ?, ?, ?)');
let seq = 0;
conn.transaction(() => {
  for (let i = 0; i < PROFILES; i++) {
    const id = `prof_${i}`;
    insId.run(`user_id:u${i}`, 'user_id', `u${i}`, id, `c${i}`);
    const plan = random() < 0.1 ? 'gold' : 'basic';
    insProfile.run(id, JSON.stringify({ plan, city: CITIES[i % CITIES.length], age: 18 + (i % 50) }), '{}', now, now);
    if (plan === 'gold') insMember.run(vip, id, now);
    if (random() < 0.05) insTag.run('newsletter', id, now);
    for (let e = 0; e < 3; e++) insEvent.run(++seq, id, 'track', now - Math.floor(random() * 60) * DAY, EVENTS[Math.floor(random() * EVENTS.length)], '{}');
  }
})();
conn.close();
const loadS = (performance.now() - t0) / 1000;

// 3. Serve and define the placement.
meridian = await createMeridian(config);
url = await meridian.listen();
await admin('/v1/placements', {
  name: 'home_hero',
  recordExposures: false,
  rules: [
    { name: 'vip', conditions: [{ type: 'segment', segmentId: vip }], content: { banner: 'vip' } },
    { name: 'newsletter', conditions: [{ type: 'tag', tag: 'newsletter' }], content: { banner: 'news' } },
    { name: 'cart', conditions: [{ type: 'event', event: 'Product Added', withinDays: 7 }], content: { banner: 'cart' } },
    { name: 'taipei-ios', conditions: [{ type: 'trait', test: { property: 'city', op: 'equals', value: 'Taipei' } }, { type: 'context', test: { property: 'device.type', op: 'equals', value: 'ios' } }], content: { banner: 'tw' } },
    { name: 'ab', conditions: [], variants: [{ name: 'a', weight: 50, content: { banner: 'a' } }, { name: 'b', weight: 50, content: { banner: 'b' } }] },
  ],
  default: { banner: 'welcome' },
});

// The baseline: Basic key check, JSON parse, a fixed answer.
const auth = 'Basic ' + Buffer.from(writeKey + ':').toString('base64');
const baseline = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    if (req.headers.authorization !== auth) return res.writeHead(401).end();
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { placement: string };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ decisions: [{ placement: body.placement, rule: null, variant: null, content: { banner: 'welcome' } }], known: true }));
  });
});
await new Promise<void>((r) => baseline.listen(0, '127.0.0.1', r));
const baselineUrl = `http://127.0.0.1:${(baseline.address() as AddressInfo).port}`;

async function load(target: string) {
  const latencies: number[] = [];
  const pick = rng(11);
  let errors = 0;
  const end = performance.now() + SECONDS * 1000;
  const client = async () => {
    while (performance.now() < end) {
      const body = JSON.stringify({ placement: 'home_hero', userId: `u${Math.floor(pick() * PROFILES)}`, context: { device: { type: pick() < 0.5 ? 'ios' : 'android' } } });
      const s = performance.now();
      const r = await fetch(`${target}/v1/decide`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body });
      await r.arrayBuffer();
      if (r.status !== 200) errors++;
      latencies.push(performance.now() - s);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, client));
  const seconds = (performance.now() - started) / 1000;
  return { p50: pct(latencies, 50), p99: pct(latencies, 99), rps: latencies.length / seconds, n: latencies.length, errors };
}

const base = await load(baselineUrl);
const decide = await load(url);
baseline.close();
await meridian.close();

const f = (x: number) => `${x.toFixed(2)} ms`;
console.log(`bench:decide — ${PROFILES.toLocaleString('en')} profiles (bulk-loaded in ${loadS.toFixed(1)} s), ${CONCURRENCY} concurrent clients, ${SECONDS} s each, cache ${config.decideCacheMs} ms`);
console.log(`machine: nproc ${cpus().length}, Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} (a shared, loaded machine: figures are noisy)`);
console.log(`baseline (bare http, fixed answer): p50 ${f(base.p50)}  p99 ${f(base.p99)}  ${base.rps.toFixed(0)} req/s  (${base.n} requests, ${base.errors} errors)`);
console.log(`/v1/decide:                         p50 ${f(decide.p50)}  p99 ${f(decide.p99)}  ${decide.rps.toFixed(0)} req/s  (${decide.n} requests, ${decide.errors} errors)`);
console.log(`ratio decide / baseline: p50 ×${(decide.p50 / base.p50).toFixed(2)}  p99 ×${(decide.p99 / base.p99).toFixed(2)}  throughput ×${(decide.rps / base.rps).toFixed(2)}`);
console.log('(latency is measured at the client, in the same process as the server: it includes the HTTP round trip and queueing behind the other clients)');
