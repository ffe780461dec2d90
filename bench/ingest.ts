// Ingest benchmark (`npm run bench:ingest`): drives the built Meridian (child process, embedded
// store) over real HTTP with concurrent keep-alive clients sending batches of 100 events, then a
// baseline server (parse JSON, append to a file, one fdatasync per request) driven the same way.
// Prints events/s, the ratio, ack latency, and p99 under open-loop load at half of Meridian's max.
// Only talks to 127.0.0.1. Settings (env): BENCH_SECONDS, BENCH_WARMUP_SECONDS, BENCH_CONNECTIONS,
// BENCH_DIR, BENCH_CPU_PROF (a directory: profile the Meridian process with --cpu-prof),
// BENCH_API_ONLY=1 (measure only the API process with no pipeline beside it, e.g. to profile ingest alone).
// Last, the browser shape (issue 17): one event per call, as a web SDK sends, each preceded by a CORS
// preflight (the worst case: browsers cache preflights), against the same single call without CORS.
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import SQLite from 'better-sqlite3';
import { spawnListening, startChildServer, type ChildServer } from '../test/helpers/child-server.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const BATCH = 100;
const BENCH_DIR = resolve(process.env.BENCH_DIR ?? '.bench');
const API_ONLY = process.env.BENCH_API_ONLY === '1';
const CPU_PROF = process.env.BENCH_CPU_PROF ? resolve(process.env.BENCH_CPU_PROF) : undefined;
const ADMIN_KEY = randomBytes(24).toString('hex');

/**
 * One batch body, serialised once. Every messageId contains a fixed-width token that is overwritten
 * per request, so each request carries new ids (dedupe does real work) without JSON work in the client.
 */
class Bodies {
  private readonly template: Buffer;
  private readonly offsets: number[] = [];
  private counter = 0;
  readonly eventBytes: number;
  private static readonly TOKEN = 'ZZZZZZZZZZZZ';

  /** `single`: one event per request, as a browser SDK sends it (analytics.js: text/plain to /v1/t). */
  constructor(readonly shape: 'batch' | 'single' = 'batch') {
    const batch = Array.from({ length: shape === 'batch' ? BATCH : 1 }, (_, i) => ({
      type: 'track',
      messageId: `${Bodies.TOKEN}-${String(i).padStart(3, '0')}`,
      userId: `user-${(i * 7919) % 10_000}`,
      event: 'Product Viewed',
      properties: { product_id: `sku-${1000 + i}`, name: 'Trail running shoe', price: 89.9, currency: 'EUR', category: 'shoes' },
      context: { library: { name: 'analytics-node', version: '2.1.0' }, locale: 'fr-FR' },
      timestamp: '2026-03-01T12:00:00.000Z',
    }));
    const text = JSON.stringify(shape === 'batch' ? { batch, sentAt: '2026-03-01T12:00:01.000Z' } : { ...batch[0], sentAt: '2026-03-01T12:00:01.000Z' });
    this.template = Buffer.from(text);
    this.eventBytes = Math.round(batch.reduce((n, e) => n + JSON.stringify(e).length, 0) / batch.length);
    for (let at = this.template.indexOf(Bodies.TOKEN); at !== -1; at = this.template.indexOf(Bodies.TOKEN, at + 1)) this.offsets.push(at);
  }

  next(): Buffer {
    const body = Buffer.from(this.template);
    const token = (this.counter++).toString(16).padStart(Bodies.TOKEN.length, '0');
    for (const at of this.offsets) body.write(token, at, 'latin1');
    return body;
  }
}

interface Target {
  port: number;
  path: string;
  headers: Record<string, string>;
  bodies: Bodies;
  /** Send a CORS preflight (from headers.origin) before each call, as an uncached browser does. */
  preflight?: boolean;
}

async function post(target: Target, agent: Agent): Promise<number> {
  if (target.preflight) {
    const status = await send(target, agent, 'OPTIONS', undefined, {
      origin: target.headers.origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization,content-type',
    });
    if (status !== 204) return status;
  }
  return send(target, agent, 'POST', target.bodies.next(), target.headers);
}

function send(target: Target, agent: Agent, method: string, body: Buffer | undefined, headers: Record<string, string>): Promise<number> {
  return new Promise((resolvePost, reject) => {
    const req = request(
      { host: '127.0.0.1', port: target.port, path: target.path, method, agent, headers: body ? { ...headers, 'content-length': body.length } : headers },
      (res) => {
        res.resume();
        res.on('end', () => resolvePost(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

interface Result {
  requests: number;
  errors: number;
  seconds: number;
  latencies: number[];
}

/** CONNECTIONS clients, each sending its next batch as soon as the previous one is acknowledged. */
async function closedLoop(target: Target, seconds: number): Promise<Result> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const latencies: number[] = [];
  let errors = 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        const status = await post(target, agent).catch(() => 0);
        if (status === 200) latencies.push(performance.now() - t0);
        else errors++;
      }
    }),
  );
  agent.destroy();
  return { requests: latencies.length, errors, seconds: (performance.now() - start) / 1000, latencies };
}

/**
 * Open-loop load: requests start on a fixed schedule whatever the server's answers, and latency is
 * counted from the scheduled start (a slow answer cannot hide the requests queued behind it).
 */
async function openLoop(target: Target, requestsPerSecond: number, seconds: number): Promise<Result> {
  const agent = new Agent({ keepAlive: true, maxSockets: 512 });
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  let errors = 0;
  let sent = 0;
  const start = performance.now();
  const total = Math.floor(requestsPerSecond * seconds);
  await new Promise<void>((done) => {
    const timer = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * requestsPerSecond));
      for (; sent < due; sent++) {
        const scheduled = start + (sent * 1000) / requestsPerSecond;
        pending.push(
          post(target, agent).then(
            (status) => (status === 200 ? latencies.push(performance.now() - scheduled) : errors++, undefined),
            () => void errors++,
          ),
        );
      }
      if (sent >= total) {
        clearInterval(timer);
        done();
      }
    }, 1);
  });
  await Promise.all(pending);
  agent.destroy();
  return { requests: latencies.length, errors, seconds: (performance.now() - start) / 1000, latencies };
}

const percentile = (sorted: number[], p: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]);

function summarise(r: Result, events = BATCH) {
  const sorted = [...r.latencies].sort((a, b) => a - b);
  return {
    eventsPerSecond: (r.requests * events) / r.seconds,
    requestsPerSecond: r.requests / r.seconds,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    errors: r.errors,
  };
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const line = (label: string, s: ReturnType<typeof summarise>) =>
  `${label.padEnd(34)} ${fmt(s.eventsPerSecond).padStart(9)} events/s  ${fmt(s.requestsPerSecond).padStart(6)} req/s  p50 ${fmt(s.p50, 1).padStart(6)} ms  p99 ${fmt(s.p99, 1).padStart(6)} ms${s.errors ? `  errors ${s.errors}` : ''}`;

async function withServer<T>(start: () => Promise<ChildServer>, fn: (server: ChildServer) => Promise<T>): Promise<T> {
  const server = await start();
  try {
    return await fn(server);
  } finally {
    // SIGTERM: a graceful stop, so that a --cpu-prof profile gets written.
    await server.kill('SIGTERM');
  }
}

/**
 * `split`: an API process (`--role api`, the one measured) beside a worker process (`--role worker`) running
 * the pipeline on the same store — the scale-out layout, here on one machine. `all`: the default single
 * process, where the pipeline stages share the event loop and the SQLite connection with ingest.
 */
async function benchMeridian(dir: string, mode: 'split' | 'all' | 'api') {
  const dataDir = join(dir, `meridian-${mode}`);
  if (mode === 'api') return measureMeridian(dataDir, 'api');
  const worker =
    mode === 'split' ? await startChildServer({ dataDir, adminKey: ADMIN_KEY, runtime: 'dist', env: { MERIDIAN_ROLE: 'worker' } }) : undefined;
  try {
    return await measureMeridian(dataDir, mode === 'split' ? 'api' : 'all');
  } finally {
    await worker?.kill('SIGTERM');
  }
}

/**
 * Whether the pipeline keeps up (issue 4: resolution ≥ the ingest rate): when a load phase stops, how
 * far the identity stage is behind the log head, and how long it then takes to catch up. The rate from
 * the first request until caught up is what the pipeline sustained beside the API.
 */
async function pipelineCatchUp(dataDir: string, loadStarted: number) {
  const db = new SQLite(join(dataDir, 'meridian.db'), { readonly: true });
  const logDb = new SQLite(join(dataDir, 'log.db'), { readonly: true });
  try {
    const state = () => {
      const head = Number((logDb.prepare('SELECT max(seq) AS n FROM events').get() as { n: number | null }).n ?? 0);
      const row = db.prepare("SELECT position FROM stage_offsets WHERE stage = 'identity'").get() as { position: number } | undefined;
      return { head, identity: Number(row?.position ?? 0) };
    };
    const atEnd = state();
    const stopped = performance.now();
    let now = atEnd;
    while (now.identity < atEnd.head && performance.now() - stopped < 600_000) {
      await new Promise((r) => setTimeout(r, 100));
      now = state();
    }
    const caughtUp = performance.now();
    return {
      backlog: atEnd.head - atEnd.identity,
      catchUpSeconds: (caughtUp - stopped) / 1000,
      eventsPerSecond: atEnd.head / ((caughtUp - loadStarted) / 1000),
    };
  } finally {
    db.close();
    logDb.close();
  }
}

/** A source through the admin API; its write key. */
async function createSource(server: ChildServer, type: 'server' | 'web'): Promise<string> {
  const created = await fetch(server.url + '/v1/sources', {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: `bench ${type}`, type }),
  });
  if (created.status !== 201) throw new Error(`creating the bench source failed: ${created.status} ${await created.text()}`);
  return ((await created.json()) as { writeKey: string }).writeKey;
}

async function measureMeridian(dataDir: string, role: 'api' | 'all') {
  return withServer(
    () =>
      startChildServer({
        dataDir,
        adminKey: ADMIN_KEY,
        runtime: 'dist',
        nodeArgs: CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', CPU_PROF] : [],
        env: { MERIDIAN_ROLE: role },
      }),
    async (server) => {
      const writeKey = await createSource(server, 'server');
      const target: Target = {
        port: Number(new URL(server.url).port),
        path: '/v1/batch',
        headers: { 'content-type': 'application/json', authorization: 'Basic ' + Buffer.from(writeKey + ':').toString('base64') },
        bodies: new Bodies(),
      };
      const loadStarted = performance.now();
      const first = await post(target, new Agent());
      if (first !== 200) throw new Error(`Meridian answered ${first} to a valid batch`);
      const withPipeline = !(role === 'api' && API_ONLY);
      await closedLoop(target, WARMUP_SECONDS);
      const max = summarise(await closedLoop(target, SECONDS));
      const pipeline = withPipeline ? await pipelineCatchUp(dataDir, loadStarted) : undefined;
      // p99 at half load is the steady state at that load: the phase starts once the pipeline has worked
      // off the max phase's backlog (before, it measured the recovery from overload: the worker at full
      // speed on the same cores), after a warm-up at that rate.
      await openLoop(target, max.requestsPerSecond / 2, WARMUP_SECONDS);
      const half = summarise(await openLoop(target, max.requestsPerSecond / 2, SECONDS));
      const afterHalf = withPipeline ? await pipelineCatchUp(dataDir, loadStarted) : undefined;
      return { max, half, pipeline, afterHalf, eventBytes: target.bodies.eventBytes };
    },
  );
}

/**
 * One Meridian process; closed loop of single-event calls: as a server SDK would send them (no CORS),
 * then as a browser does (Origin, text/plain, a preflight before each call). "requests" counts calls.
 */
async function benchBrowserShape(dir: string) {
  return withServer(
    () => startChildServer({ dataDir: join(dir, 'meridian-browser'), adminKey: ADMIN_KEY, runtime: 'dist' }),
    async (server) => {
      const writeKey = await createSource(server, 'web');
      const auth = 'Basic ' + Buffer.from(writeKey + ':').toString('base64');
      const port = Number(new URL(server.url).port);
      const plain: Target = { port, path: '/v1/t', headers: { 'content-type': 'application/json', authorization: auth }, bodies: new Bodies('single') };
      const browser: Target = {
        port,
        path: '/v1/t',
        headers: { 'content-type': 'text/plain', authorization: auth, origin: 'https://shop.example' },
        bodies: new Bodies('single'),
        preflight: true,
      };
      for (const target of [plain, browser]) {
        const first = await post(target, new Agent());
        if (first !== 200) throw new Error(`Meridian answered ${first} to a valid single call`);
      }
      await closedLoop(plain, WARMUP_SECONDS);
      const serverShape = summarise(await closedLoop(plain, SECONDS), 1);
      await closedLoop(browser, WARMUP_SECONDS);
      return { server: serverShape, browser: summarise(await closedLoop(browser, SECONDS), 1) };
    },
  );
}

async function benchBaseline(dir: string) {
  return withServer(
    () => spawnListening(['--import', 'tsx', 'bench/baseline-server.ts', join(dir, 'baseline.ndjson')], process.env, /baseline listening on (\S+)/),
    async (server) => {
      const target: Target = {
        port: Number(new URL(server.url).port),
        path: '/v1/batch',
        headers: { 'content-type': 'application/json' },
        bodies: new Bodies(),
      };
      await closedLoop(target, WARMUP_SECONDS);
      return summarise(await closedLoop(target, SECONDS));
    },
  );
}

async function main() {
  const dir = join(BENCH_DIR, `ingest-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  console.log('Meridian ingest benchmark');
  console.log(`machine: nproc ${availableParallelism()}, ${cpus()[0]?.model ?? 'unknown CPU'}, node ${process.version}, ${process.platform}/${process.arch}`);
  // Other work on the machine skews every figure: print the load so a reader can judge the run.
  const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(`load average at start: ${load()}`);
  console.log(`load: ${CONNECTIONS} keep-alive connections, batches of ${BATCH} events, ${SECONDS} s per phase after ${WARMUP_SECONDS} s warm-up, data in ${dir}`);
  try {
    if (API_ONLY) {
      // Profiling aid: the API process alone, no pipeline beside it.
      const api = await benchMeridian(dir, 'api');
      console.log(line('meridian api only (max)', api.max));
      console.log(line(`meridian api only (${fmt(api.max.requestsPerSecond / 2)} req/s)`, api.half));
      return;
    }
    const meridian = await benchMeridian(dir, 'split');
    const single = await benchMeridian(dir, 'all');
    const baseline = await benchBaseline(dir);
    console.log(`load average at end: ${load()}`);
    console.log(`event size: ~${meridian.eventBytes} bytes of JSON\n`);
    console.log(line('baseline (parse, append, fdatasync)', baseline));
    console.log(line('meridian api + worker (max)', meridian.max));
    console.log(line(`meridian api + worker (${fmt(meridian.max.requestsPerSecond / 2)} req/s)`, meridian.half));
    console.log(line('meridian single process (max)', single.max));
    console.log(line(`meridian single process (${fmt(single.max.requestsPerSecond / 2)} req/s)`, single.half));
    const ratio = meridian.max.eventsPerSecond / baseline.eventsPerSecond;
    for (const [label, run] of [['api + worker', meridian], ['single process', single]] as const) {
      if (run.pipeline)
        console.log(
          `pipeline (${label}), max phase: identity ${fmt(run.pipeline.backlog)} events behind when the load stopped, caught up ${fmt(run.pipeline.catchUpSeconds, 1)} s later; ` +
            `${fmt(run.pipeline.eventsPerSecond)} events/s resolved from the first request until then`,
        );
      if (run.afterHalf)
        console.log(`pipeline (${label}), half-load phase: identity ${fmt(run.afterHalf.backlog)} events behind when the load stopped, caught up ${fmt(run.afterHalf.catchUpSeconds, 1)} s later`);
    }
    console.log(`\nratio meridian / baseline: ${fmt(ratio, 2)}x (target >= 0.6x) ${ratio >= 0.6 ? 'MET' : 'MISSED'}`);
    console.log(`p99 at half of max throughput: ${fmt(meridian.half.p99, 1)} ms (target < 50 ms) ${meridian.half.p99 < 50 ? 'MET' : 'MISSED'}`);
    const web = await benchBrowserShape(dir);
    console.log('\nsingle-event calls, one process (an event per call: events/s = calls/s; p50/p99 per call)');
    console.log(line('server shape (no CORS)', web.server));
    console.log(line('browser shape (preflight + call)', web.browser));
    console.log(`ratio browser / server shape: ${fmt(web.browser.eventsPerSecond / web.server.eventsPerSecond, 2)}x (the preflight is a second request)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
