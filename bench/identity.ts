// Identity benchmark (`npm run bench:identity`): appends a seeded, realistic event stream straight to
// the event log (no HTTP, to isolate the stage) — anonymous browsing on 1–3 devices per person, signups
// that link userId, email and phone, a few shared household devices and ~3% late (offline) events —
// then drains the identity stage and reports its throughput against the log's own append rate measured
// in the same run (the baseline), and profile lookup latency by email (resolve + full profile read,
// in-process) at ~200k profiles and, after adding single-event people, at ~1M profiles.
// Settings (env): BENCH_IDENTITY_PEOPLE (200000), BENCH_IDENTITY_EVENTS (1000000),
// BENCH_IDENTITY_EXTRA_PROFILES (800000), BENCH_IDENTITY_LOOKUPS (2000), BENCH_DIR (.bench),
// BENCH_CPU_PROF (a directory: CPU profile of each resolution phase), BENCH_INGEST_RATE (the rate to keep up with).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { availableParallelism, cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { NewLogEvent } from '../src/log/index.js';
import { built } from './built.js';
import { rng } from './rng.js';

const { openStorage } = await built<typeof import('../src/storage/index.js')>('storage/index.js');
const { EventLog } = await built<typeof import('../src/log/index.js')>('log/index.js');
const { systemClock } = await built<typeof import('../src/shared/clock.js')>('shared/clock.js');
const { IdentityEngine, identityStage } = await built<typeof import('../src/identity/index.js')>('identity/index.js');
const { ProfileReader } = await built<typeof import('../src/profiles/reader.js')>('profiles/reader.js');

const PEOPLE = Number(process.env.BENCH_IDENTITY_PEOPLE ?? 200_000);
const EVENTS = Number(process.env.BENCH_IDENTITY_EVENTS ?? 1_000_000);
const EXTRA = Number(process.env.BENCH_IDENTITY_EXTRA_PROFILES ?? 800_000);
const LOOKUPS = Number(process.env.BENCH_IDENTITY_LOOKUPS ?? 2000);
const DIR = resolve(process.env.BENCH_DIR ?? '.bench', 'identity');
/** The ingest benchmark's max rate to keep up with (api + worker layout, docs/benchmarks.md run F). */
const INGEST_RATE = Number(process.env.BENCH_INGEST_RATE ?? 37_587);
/** A directory: write a CPU profile of each resolution phase there (open it in Chrome DevTools). */
const CPU_PROF = process.env.BENCH_CPU_PROF ? resolve(process.env.BENCH_CPU_PROF) : undefined;
const T0 = Date.parse('2026-01-01T00:00:00Z');
const SPAN = 30 * 86_400_000;

/** The in-process V8 profiler, so that a profile covers the resolution phase only (not event generation). */
async function startProfiler() {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((ok, fail) => session.post(method, params, (err, res) => (err ? fail(err) : ok(res))));
  await post('Profiler.enable');
  await post('Profiler.start');
  return {
    async stop(file: string) {
      const { profile } = (await post('Profiler.stop')) as { profile: unknown };
      mkdirSync(CPU_PROF!, { recursive: true });
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

/**
 * CPU seconds of this process's main thread (Linux: /proc/self/task/<pid>/stat, in clock ticks). On a
 * shared machine wall time moves with the neighbours; the stage's own CPU time is the steadier figure.
 */
function mainThreadCpu(): { user: number; system: number } {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { user: Number(fields[11]) / 100, system: Number(fields[12]) / 100 }; // utime, stime; USER_HZ is 100 on Linux
  } catch {
    return { user: Number.NaN, system: Number.NaN };
  }
}


const random = rng(42);
const emailOf = (i: number) => `person${i}@example.com`;
const variants = [(e: string) => e, (e: string) => ` ${e.toUpperCase()} `, (e: string) => e.replace('person', 'Person')];

function event(i: number, n: number, ts: number, body: Record<string, unknown>): NewLogEvent {
  const messageId = `p${i}-e${n}`;
  const payload = { ...body, messageId, timestamp: new Date(ts).toISOString(), context: { library: { name: 'bench' }, ...(body.context as object) } };
  return {
    sourceId: 'src_bench',
    messageId,
    type: body.type as string,
    event: (body.event as string | undefined) ?? (body.name as string | undefined) ?? null,
    userId: (body.userId as string | undefined) ?? null,
    anonymousId: (body.anonymousId as string | undefined) ?? null,
    ts,
    receivedAt: ts,
    payload: JSON.stringify(payload),
  };
}

/** One person's events: browsing on their devices, maybe a signup, then known activity. */
function person(i: number, perPerson: number): NewLogEvent[] {
  const devices = 1 + (random() < 0.4 ? 1 : 0) + (random() < 0.1 ? 1 : 0);
  const anon = Array.from({ length: devices }, (_, d) => `anon-${i}-${d}`);
  // ~1% share a household device with the previous person.
  if (i > 0 && random() < 0.01) anon[devices - 1] = `anon-${i - 1}-0`;
  const known = random() < 0.6;
  const email = random() < 0.7 ? emailOf(i) : undefined;
  const phone = random() < 0.3 ? `+1415${String(1_000_000 + i).slice(-7)}` : undefined;
  const count = Math.max(1, Math.round(perPerson * (0.5 + random())));
  let ts = T0 + (i / PEOPLE) * SPAN;
  const out: NewLogEvent[] = [];
  const signupAt = known || email ? Math.floor(count / 2) : -1;
  for (let n = 0; n < count; n++) {
    ts += 60_000 * (1 + Math.floor(random() * 30));
    const device = anon[Math.floor(random() * devices)];
    const late = random() < 0.03 ? -2 * 3_600_000 : 0;
    if (n === signupAt) {
      const traits = { ...(email ? { email: variants[i % 3](email) } : {}), ...(phone ? { phone } : {}), name: `Person ${i}`, plan: random() < 0.2 ? 'pro' : 'free' };
      out.push(event(i, n, ts, { type: 'identify', anonymousId: device, ...(known ? { userId: `user-${i}` } : {}), traits }));
    } else if (n > signupAt && signupAt >= 0 && known) {
      out.push(event(i, n, ts + late, { type: 'track', userId: `user-${i}`, event: 'Order Completed', properties: { total: Math.round(random() * 200), category: ['shoes', 'hats', 'bags'][n % 3] } }));
    } else {
      out.push(event(i, n, ts + late, { type: 'page', anonymousId: device, name: 'Product', properties: { path: `/p/${n}` } }));
    }
  }
  return out;
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

async function main() {
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DIR, { recursive: true });
  console.log(`machine: nproc ${availableParallelism()}, ${cpus()[0]?.model ?? 'unknown CPU'}, node ${process.version}, ${process.platform}/${process.arch}`);
  console.log(`identity bench: ${fmt(EVENTS)} events over ${fmt(PEOPLE)} people, then ${fmt(EXTRA)} single-event people; store ${DIR}`);
  const storage = await openStorage({ dataDir: DIR });
  const now = Date.now();
  await storage.db.insertInto('sources').values({ id: 'src_bench', name: 'bench', type: 'server', rate_limit: null, disabled_at: null, created_at: now, updated_at: now }).execute();
  const log = new EventLog(storage.db, storage.dialect, { clock: systemClock, dedupeWindowMs: 86_400_000, logFile: storage.logFile });
  const engine = new IdentityEngine(storage.dialect, systemClock);
  const stage = identityStage({ db: storage.db, dialect: storage.dialect, log, engine });
  const reader = new ProfileReader(storage.db, storage.dialect, systemClock);

  async function append(generate: (i: number) => NewLogEvent[], from: number, to: number) {
    let appended = 0;
    const started = performance.now();
    const pending: Promise<unknown>[] = [];
    for (let i = from; i < to; i += 500) {
      const chunk: NewLogEvent[] = [];
      for (let j = i; j < Math.min(to, i + 500); j++) chunk.push(...generate(j));
      appended += chunk.length;
      pending.push(log.append(chunk));
      if (pending.length >= 4) await pending.shift();
    }
    await Promise.all(pending);
    return { appended, seconds: (performance.now() - started) / 1000 };
  }
  async function resolveAll(label: string, events: number) {
    const profiler = CPU_PROF ? await startProfiler() : undefined;
    const started = performance.now();
    const cpu0 = mainThreadCpu();
    await stage.drain();
    const seconds = (performance.now() - started) / 1000;
    const cpu1 = mainThreadCpu();
    const [user, system] = [cpu1.user - cpu0.user, cpu1.system - cpu0.system];
    if (profiler) await profiler.stop(join(CPU_PROF!, `identity-${label.replace(/\W+/g, '-')}.cpuprofile`));
    const profiles = Number((await storage.db.selectFrom('profiles').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    console.log(`${label}: resolved ${fmt(events)} events in ${fmt(seconds, 1)} s = ${fmt(events / seconds)} events/s (main thread CPU ${fmt(user, 1)} s user + ${fmt(system, 1)} s system); ${fmt(profiles)} profiles; replays so far: ${fmt(engine.stats.replays)} components, ${fmt(engine.stats.replayedEvents)} events`);
    return { rate: events / seconds, profiles };
  }
  async function lookups(label: string, maxPerson: number) {
    const pick = rng(7);
    const times: number[] = [];
    let found = 0;
    // The first LOOKUPS/10 warm the JIT and the page cache and are not counted.
    const warmup = Math.ceil(LOOKUPS / 10);
    for (let n = -warmup; n < LOOKUPS; n++) {
      const i = Math.floor(pick() * maxPerson);
      const started = performance.now();
      try {
        await reader.get(await reader.resolve('email', emailOf(i)));
        found++;
      } catch {
        // this person has no email: the 404 path is timed too
      }
      if (n >= 0) times.push(performance.now() - started);
      else found = 0;
    }
    times.sort((a, b) => a - b);
    console.log(`${label}: lookup by email (resolve + profile) p50 ${fmt(pct(times, 50), 2)} ms, p99 ${fmt(pct(times, 99), 2)} ms over ${fmt(LOOKUPS)} lookups (${fmt(found)} found) — target p99 < 5 ms ${pct(times, 99) < 5 ? 'MET' : 'MISSED'}`);
  }

  const perPerson = EVENTS / PEOPLE;
  const a1 = await append((i) => person(i, perPerson), 0, PEOPLE);
  const appendRate = a1.appended / a1.seconds;
  console.log(`baseline: log append of ${fmt(a1.appended)} events in ${fmt(a1.seconds, 1)} s = ${fmt(appendRate)} events/s`);
  const r1 = await resolveAll('phase 1', a1.appended);
  console.log(
    `ratio resolution / log append: ${fmt(r1.rate / appendRate, 2)}x; target >= the ingest benchmark's rate, ${fmt(INGEST_RATE)} events/s ` +
      `(BENCH_INGEST_RATE): ${fmt(r1.rate / INGEST_RATE, 2)}x ${r1.rate >= INGEST_RATE ? 'MET' : 'MISSED'}`,
  );
  await lookups(`at ${fmt(r1.profiles)} profiles`, PEOPLE);

  if (EXTRA > 0) {
    const a2 = await append((i) => [event(i, 0, T0 + SPAN + i, { type: 'identify', anonymousId: `anon-${i}-0`, traits: { email: emailOf(i) } })], PEOPLE, PEOPLE + EXTRA);
    const r2 = await resolveAll('phase 2 (new single-event people)', a2.appended);
    await lookups(`at ${fmt(r2.profiles)} profiles`, PEOPLE + EXTRA);
  }
  await log.close();
  await storage.close();
}

await main();
