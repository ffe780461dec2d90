// Security benchmark (`npm run bench:security`): the cost of field encryption and of masking, each
// against its baseline measured in the same run on the same machine.
//   1. Ingest over HTTP: batches of 100 events carrying an email and a phone, 10% of them refused
//      (their payloads go to the failed events) — events/s without and with a KEK. With a KEK every
//      accepted event's payload is sealed by the log writer thread, every refused one on the event
//      loop, and the pipeline stages running meanwhile open what they read. Two interleaved rounds,
//      the better of each kept (the machine is shared).
//   2. Reading back (pages of 100, opened when sealed) — failed events, and the event log through
//      the events API — rows/s without and with.
//   3. Identity resolution through the pipeline: identifies (email, phone, name) from the HTTP batch to
//      the drained pipeline — identifies/s without and with a KEK (blind-indexed keys, sealed profiles).
//   4. Profile lookup by email over HTTP, p50/p99 — without and with a KEK (full-access key), and a
//      full-access key vs a masked one (analyst) on the encrypted store.
//   5. Seal + open of a 300-byte value in-process — values/s (the raw cost per field).
// Settings (env): BENCH_SECURITY_BATCHES (200), BENCH_SECURITY_PROFILES (2000), BENCH_SECURITY_LOOKUPS (2000).
// On a shared, loaded machine the figures move from run to run: compare the ratios, not the absolutes.
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { built } from './built.js';

const { loadConfig } = await built<typeof import('../src/config.js')>('config.js');
const { createMeridian } = await built<typeof import('../src/main.js')>('main.js');
const { newDataKey, open, seal } = await built<typeof import('../src/shared/encryption/envelope.js')>('shared/encryption/envelope.js');
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');

const BATCHES = Number(process.env.BENCH_SECURITY_BATCHES ?? 200);
const PROFILES = Number(process.env.BENCH_SECURITY_PROFILES ?? 2000);
const LOOKUPS = Number(process.env.BENCH_SECURITY_LOOKUPS ?? 2000);
const ADMIN = 'bench-admin-key-0123456789';
const KEK = 'c0ffee'.repeat(10) + 'c0ff';

async function server(kek?: string) {
  const dataDir = mkdtempSync(join(tmpdir(), 'meridian-bench-sec-'));
  const meridian = await createMeridian(loadConfig({ port: 0, host: '127.0.0.1', dataDir, logLevel: 'silent', adminKey: ADMIN, kek }, {}));
  const url = await meridian.listen();
  const admin = (path: string, init: RequestInit = {}) => fetch(url + path, { ...init, headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json', ...(init.headers ?? {}) } });
  const source = (await (await admin('/v1/sources', { method: 'POST', body: JSON.stringify({ name: 'bench', type: 'server' }) })).json()) as { writeKey: string };
  const auth = 'Basic ' + Buffer.from(source.writeKey + ':').toString('base64');
  return {
    meridian,
    url,
    admin,
    post: (path: string, body: unknown) => fetch(url + path, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    async close() {
      await meridian.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
type Server = Awaited<ReturnType<typeof server>>;

async function ingest(s: Server, tag: string): Promise<number> {
  const started = performance.now();
  for (let b = 0; b < BATCHES; b++) {
    const batch = Array.from({ length: 100 }, (_, i) =>
      i % 10 === 0
        ? { type: 'track', event: 'No identity', properties: { email: `refused-${tag}-${b}-${i}@example.com`, note: 'x'.repeat(200) } }
        : { type: 'track', userId: `u-${b}-${i}`, event: 'Viewed', properties: { page: '/p', n: i, email: `u-${tag}-${b}-${i}@example.com`, phone: `+8869${String(10_000_000 + b * 100 + i).slice(-8)}` } },
    );
    const res = await s.post('/v1/batch', { batch });
    if (res.status !== 200) throw new Error(`batch: ${res.status} ${await res.text()}`);
  }
  return (BATCHES * 100) / ((performance.now() - started) / 1000);
}

async function readBack(s: Server, path: '/v1/failed-events' | '/v1/events'): Promise<number> {
  const started = performance.now();
  let rows = 0;
  for (let cursor: string | null = ''; cursor !== null; ) {
    const page = (await (await s.admin(`${path}?limit=100${cursor ? `&cursor=${cursor}` : ''}`)).json()) as { data: unknown[]; next: string | null };
    rows += page.data.length;
    cursor = page.next;
  }
  return rows / ((performance.now() - started) / 1000);
}

async function lookups(s: Server, key: string): Promise<{ p50: number; p99: number }> {
  const times: number[] = [];
  for (let i = 0; i < LOOKUPS; i++) {
    const email = encodeURIComponent(`person${i % PROFILES}@example.com`);
    const t = performance.now();
    const res = await fetch(`${s.url}/v1/profiles/email/${email}`, { headers: { authorization: `Bearer ${key}` } });
    if (res.status !== 200) throw new Error(`lookup: ${res.status}`);
    await res.arrayBuffer();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(times.length * 0.5)], p99: times[Math.floor(times.length * 0.99)] };
}

function sealOpen(): number {
  const key = newDataKey('dek_bench');
  const value = JSON.stringify({ email: 'jane.doe@example.com', note: 'x'.repeat(260) });
  const n = 50_000;
  const started = performance.now();
  for (let i = 0; i < n; i++) open(key, seal(key, value));
  return n / ((performance.now() - started) / 1000);
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const ratio = (a: number, b: number) => `${((a / b) * 100).toFixed(1)}%`;

console.log(`bench:security — nproc ${availableParallelism()}, Node ${process.version}, load ${load()}, ${BATCHES} batches × 100 events, ${PROFILES} profiles, ${LOOKUPS} lookups`);
const plain = await server();
const sealed = await server(KEK);
// Interleaved, so a neighbour's load hits both configurations alike.
let ingestOff = 0;
let ingestOn = 0;
for (const round of [1, 2]) {
  ingestOff = Math.max(ingestOff, await ingest(plain, `off${round}`));
  ingestOn = Math.max(ingestOn, await ingest(sealed, `on${round}`));
}
console.log(`ingest (log sealed)   off ${fmt(ingestOff)} ev/s   on ${fmt(ingestOn)} ev/s   on/off ${ratio(ingestOn, ingestOff)}`);
await plain.meridian.drainPipeline();
await sealed.meridian.drainPipeline();
const readOff = await readBack(plain, '/v1/failed-events');
const readOn = await readBack(sealed, '/v1/failed-events');
console.log(`failed-event reads    off ${fmt(readOff)} rows/s  on ${fmt(readOn)} rows/s  on/off ${ratio(readOn, readOff)}`);
const eventsOff = await readBack(plain, '/v1/events');
const eventsOn = await readBack(sealed, '/v1/events');
console.log(`event log reads       off ${fmt(eventsOff)} rows/s  on ${fmt(eventsOn)} rows/s  on/off ${ratio(eventsOn, eventsOff)}`);

/** PROFILES people identified (then each seen on a second device by email), until the pipeline is drained. */
async function identifyPeople(s: Server): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < PROFILES; i += 100) {
    const n = Math.min(100, PROFILES - i);
    const batch = Array.from({ length: n }, (_, j) => ({
      type: 'identify',
      userId: `person-${i + j}`,
      anonymousId: `device-a-${i + j}`,
      traits: { email: `person${i + j}@example.com`, phone: `+8869${String(10_000_000 + i + j).slice(-8)}`, name: `Person ${i + j}`, plan: 'pro' },
    }));
    const stitch = Array.from({ length: n }, (_, j) => ({ type: 'track', anonymousId: `device-b-${i + j}`, event: 'Opened', context: { traits: { email: `Person${i + j}@example.com` } } }));
    const res = await s.post('/v1/batch', { batch: [...batch, ...stitch] });
    if (res.status !== 200) throw new Error(`batch: ${res.status} ${await res.text()}`);
  }
  await s.meridian.drainPipeline();
  return (PROFILES * 2) / ((performance.now() - started) / 1000);
}
const resolveOff = await identifyPeople(plain);
const resolveOn = await identifyPeople(sealed);
console.log(`identity resolution   off ${fmt(resolveOff)} msg/s  on ${fmt(resolveOn)} msg/s  on/off ${ratio(resolveOn, resolveOff)}   (identify + stitch by email, through the pipeline)`);
const lookupOff = await lookups(plain, ADMIN);
const full = await lookups(sealed, ADMIN);
console.log(`lookup by email       off p50 ${lookupOff.p50.toFixed(2)} ms p99 ${lookupOff.p99.toFixed(2)} ms   on p50 ${full.p50.toFixed(2)} ms p99 ${full.p99.toFixed(2)} ms   on/off p50 ${ratio(full.p50, lookupOff.p50)} p99 ${ratio(full.p99, lookupOff.p99)}`);
const analyst = (await sealed.meridian.apiKeys.create('bench analyst', 'analyst')).key;
const masked = await lookups(sealed, analyst);
console.log(`lookup, masked (on)   full p50 ${full.p50.toFixed(2)} ms p99 ${full.p99.toFixed(2)} ms   masked p50 ${masked.p50.toFixed(2)} ms p99 ${masked.p99.toFixed(2)} ms   masked/full p99 ${ratio(masked.p99, full.p99)}`);
console.log(`seal+open 300 B       ${fmt(sealOpen())} values/s (in-process, one core)`);
await plain.close();
await sealed.close();
console.log(`load average at the end: ${load()}`);
