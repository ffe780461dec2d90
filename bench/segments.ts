// Segments benchmark (`npm run bench:segments`), embedded store.
// (a) Real time: 20 active segments, a background load of BENCH_SEGMENTS_RATE events/s over HTTP, and
//     probe events; latency from the ingest ack of a probe to its `entered` row in membership_changes,
//     p50/p99. Baseline in the same run: ack → the identity stage's profile_changes row for the probe
//     (the pipeline without segments); the ratio is the cost segments add on top.
// (b) Batch: full recompute of the 20 segments over BENCH_SEGMENTS_PROFILES profiles × 20 events
//     generated straight into the tables (bulk load, indexes built after); seconds, CPU seconds and peak
//     RSS. Baseline: one full read of every event (SELECT over profile_events), the least any batch
//     evaluation must do.
// Settings (env): BENCH_SEGMENTS_SECONDS (10), BENCH_SEGMENTS_RATE (1000), BENCH_SEGMENTS_PROFILES
// (100000; the full size is 1000000), BENCH_DIR (.bench), BENCH_SEGMENTS_ONLY (realtime|batch).
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import type { Rule } from '../src/segments/index.js';
import { built } from './built.js';
import { rng } from './rng.js';

const { loadConfig } = await built<typeof import('../src/config.js')>('config.js');
const { createMeridian } = await built<typeof import('../src/main.js')>('main.js');
const { openStorage } = await built<typeof import('../src/storage/index.js')>('storage/index.js');
const { SegmentService } = await built<typeof import('../src/segments/index.js')>('segments/index.js');
const { systemClock } = await built<typeof import('../src/shared/clock.js')>('shared/clock.js');

const SECONDS = Number(process.env.BENCH_SEGMENTS_SECONDS ?? 10);
const RATE = Number(process.env.BENCH_SEGMENTS_RATE ?? 1000);
const PROFILES = Number(process.env.BENCH_SEGMENTS_PROFILES ?? 100_000);
const EVENTS_PER_PROFILE = 20;
const BENCH_DIR = resolve(process.env.BENCH_DIR ?? '.bench');
const ADMIN = randomBytes(24).toString('hex');
const DAY = 86_400_000;
const PROBE = 'Bench Probe';

const d = (amount: number) => ({ amount, unit: 'days' as const });
const ev = (event: string, extra: object = {}) => ({ type: 'event', event, ...extra });
/** 20 segments mixing every rule feature; the last one is the probe segment of part (a). */
function segments(): { name: string; rule: Rule }[] {
  const r = (root: unknown) => ({ version: 1, root }) as Rule;
  return [
    { name: 'recent buyers', rule: r(ev('Order Completed', { window: { last: d(30) } })) },
    { name: 'first-time buyers', rule: r({ type: 'and', conditions: [ev('Order Completed', { count: { op: 'exactly', value: 1 } }), { type: 'occurrence', which: 'first', event: 'Order Completed', op: 'less_than_ago', duration: d(30) }] }) },
    { name: 'cart abandoners', rule: r({ type: 'sequence', first: { event: 'Product Added' }, then: { event: 'Order Completed' }, within: { amount: 1, unit: 'hours' }, mode: 'not_followed', window: { last: d(7) } }) },
    { name: 'browse abandoners', rule: r({ type: 'sequence', first: { event: 'Product Viewed' }, then: { event: 'Product Added' }, within: { amount: 1, unit: 'hours' }, mode: 'not_followed', window: { last: d(3) } }) },
    { name: 'lapsed', rule: r({ type: 'occurrence', which: 'last', event: 'Order Completed', op: 'more_than_ago', duration: d(90) }) },
    { name: 'high ltv', rule: r(ev('Order Completed', { aggregate: { fn: 'sum', property: 'total', op: 'gte', value: 1000 } })) },
    { name: 'taipei', rule: r({ type: 'trait', path: 'city', op: 'equals', value: 'Taipei' }) },
    { name: 'pro over 30', rule: r({ type: 'and', conditions: [{ type: 'trait', path: 'age', op: 'gte', value: 30 }, { type: 'trait', path: 'plan', op: 'in', value: ['pro', 'team'] }] }) },
    { name: 'shoe lovers', rule: r(ev('Product Viewed', { where: [{ property: 'category', op: 'equals', value: 'shoes' }], count: { op: 'at_least', value: 3 }, window: { last: d(30) } })) },
    { name: 'no order, has email', rule: r({ type: 'and', conditions: [ev('Order Completed', { did: false, window: { last: d(30) } }), { type: 'trait', path: 'email', op: 'exists' }] }) },
    { name: 'signed up then bought', rule: r({ type: 'sequence', first: { event: 'Signed Up' }, then: { event: 'Order Completed' }, within: d(7), mode: 'followed' }) },
    { name: 'new customers', rule: r({ type: 'occurrence', which: 'first', event: 'Order Completed', op: 'less_than_ago', duration: d(7) }) },
    { name: 'high aov', rule: r(ev('Order Completed', { aggregate: { fn: 'avg', property: 'total', op: 'gte', value: 100 } })) },
    { name: 'big basket 90d', rule: r(ev('Order Completed', { window: { last: d(90) }, aggregate: { fn: 'max', property: 'total', op: 'gte', value: 400 } })) },
    { name: 'japan', rule: r({ type: 'or', conditions: [{ type: 'trait', path: 'city', op: 'equals', value: 'Tokyo' }, { type: 'trait', path: 'city', op: 'starts_with', value: 'Osa' }] }) },
    { name: 'inactive today', rule: r({ type: 'not', condition: ev('Page Viewed', { window: { last: d(1) } }) }) },
    { name: 'two orders', rule: r(ev('Order Completed', { count: { op: 'exactly', value: 2 } })) },
    { name: 'pricey cart 7d', rule: r(ev('Product Added', { window: { last: d(7) }, where: [{ property: 'price', op: 'gt', value: 50 }] })) },
    { name: 'vip', rule: r({ type: 'tag', tag: 'vip' }) },
    { name: 'probe', rule: r(ev(PROBE)) },
  ];
}

const EVENTS = ['Order Completed', 'Product Viewed', 'Product Added', 'Page Viewed', 'Signed Up'];
const CITIES = ['Taipei', 'Tokyo', 'Osaka', 'Paris', 'Berlin', 'Lagos'];


const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const ms = (x: number) => `${x.toFixed(1)} ms`;

async function realtime() {
  const dataDir = join(BENCH_DIR, 'segments-realtime');
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const meridian = await createMeridian(loadConfig({ port: 0, host: '127.0.0.1', dataDir, logLevel: 'error', adminKey: ADMIN }, {}));
  const url = await meridian.listen();
  const admin = (path: string, body: unknown) =>
    fetch(url + path, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => {
      if (r.status >= 300) throw new Error(`${path}: ${r.status} ${await r.text()}`);
      return r.json() as Promise<Record<string, string>>;
    });
  const { writeKey } = await admin('/v1/sources', { name: 'bench', type: 'server' });
  const defs = segments();
  let probeSegment = '';
  for (const s of defs) probeSegment = (await admin('/v1/segments', s)).id;
  const auth = 'Basic ' + Buffer.from(writeKey + ':').toString('base64');
  const post = (path: string, body: unknown) =>
    fetch(url + path, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  const random = rng(1);
  let sent = 0;
  const background = () => {
    const batch = Array.from({ length: RATE / 20 }, () => {
      const name = EVENTS[Math.floor(random() * EVENTS.length)];
      return { type: 'track', userId: `user-${Math.floor(random() * 20_000)}`, event: name, properties: { total: Math.floor(random() * 500), category: 'shoes', price: 60 } };
    });
    sent += batch.length;
    return post('/v1/batch', { batch });
  };
  const db = meridian.storage.db;
  const probes: { sent: number; ack: number; profileChange?: number; entered?: number; userId: string }[] = [];
  const byUser = new Map<string, (typeof probes)[number]>();
  let lastChange = 0;
  let lastProfileChange = 0;
  const watch = async () => {
    const pcs = await db.selectFrom('profile_changes').select(['change_seq', 'event_seq']).where('change_seq', '>', lastProfileChange).orderBy('change_seq').execute();
    if (pcs.length) {
      lastProfileChange = Number(pcs[pcs.length - 1].change_seq);
      const seqs = pcs.map((p) => p.event_seq).filter((s): s is number => s !== null);
      if (seqs.length) {
        const rows = await db.selectFrom('events').select(['seq', 'user_id']).where('seq', 'in', seqs).where('event', '=', PROBE).execute();
        const now = performance.now();
        for (const r of rows) {
          const p = byUser.get(r.user_id!);
          if (p && p.profileChange === undefined) p.profileChange = now;
        }
      }
    }
    const mcs = await db.selectFrom('membership_changes').select(['change_seq', 'trigger_seq']).where('change_seq', '>', lastChange).where('segment_id', '=', probeSegment).orderBy('change_seq').execute();
    if (mcs.length) {
      lastChange = Number(mcs[mcs.length - 1].change_seq);
      const seqs = mcs.map((m) => m.trigger_seq).filter((s): s is number => s !== null);
      const rows = seqs.length ? await db.selectFrom('events').select(['seq', 'user_id']).where('seq', 'in', seqs).execute() : [];
      const now = performance.now();
      for (const r of rows) {
        const p = byUser.get(r.user_id!);
        if (p && p.entered === undefined) p.entered = now;
      }
    }
  };

  const started = performance.now();
  let probeN = 0;
  const timers = [
    setInterval(() => void background(), 50),
    setInterval(() => {
      const userId = `probe-${probeN++}`;
      // Registered before sending: the pipeline may publish before the ack reaches this client.
      const p: (typeof probes)[number] = { sent: performance.now(), ack: Infinity, userId };
      probes.push(p);
      byUser.set(userId, p);
      void post('/v1/track', { userId, event: PROBE }).then(() => (p.ack = performance.now()));
    }, 100),
  ];
  while (performance.now() - started < SECONDS * 1000) {
    await watch();
    await new Promise((r) => setTimeout(r, 2));
  }
  timers.forEach(clearInterval);
  for (let i = 0; i < 200 && probes.some((p) => p.entered === undefined); i++) {
    await watch();
    await new Promise((r) => setTimeout(r, 10));
  }
  const done = probes.filter((p) => p.entered !== undefined && p.profileChange !== undefined && p.ack !== Infinity);
  // Published before the ack arrived counts as 0.
  const seg = done.map((p) => Math.max(0, p.entered! - p.ack));
  const base = done.map((p) => Math.max(0, p.profileChange! - p.ack));
  const own = done.map((p) => Math.max(0, p.entered! - p.profileChange!));
  // From the request leaving the client: meaningful even when the change is published before the ack returns.
  const fromSend = done.map((p) => p.entered! - p.sent);
  await meridian.close();
  return { sent, seconds: SECONDS, probes: probes.length, measured: done.length, seg, base, own, fromSend };
}

async function batch() {
  const dataDir = join(BENCH_DIR, 'segments-batch');
  rmSync(dataDir, { recursive: true, force: true });
  await (await openStorage({ dataDir })).close();
  const genStart = performance.now();
  const conn = new SQLite(join(dataDir, 'meridian.db'));
  // Bulk load: journal in memory (no WAL copy of every page; OFF is refused by this build), and the
  // profile_events indexes built once at the end (sorting once is far cheaper than 20 M B-tree inserts
  // into its indexes). Back to WAL and the same schema afterwards.
  conn.pragma('journal_mode = DELETE');
  conn.pragma('journal_mode = MEMORY');
  conn.pragma('synchronous = OFF');
  conn.pragma('cache_size = -65536');
  const indexes = conn.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'profile_events' AND sql IS NOT NULL`).all() as { name: string; sql: string }[];
  for (const i of indexes) conn.exec(`DROP INDEX "${i.name}"`);
  const now = Date.now();
  const random = rng(42);
  const insertProfile = conn.prepare('INSERT INTO profiles (id, traits, computed, created_at, updated_at) VALUES (?, ?, ?, ?, ?)');
  const insertEvent = conn.prepare('INSERT INTO profile_events (seq, profile_id, type, event, ts, properties) VALUES (?, ?, ?, ?, ?, ?)');
  let seq = 0;
  const CHUNK = 50_000;
  for (let from = 0; from < PROFILES; from += CHUNK) {
    conn.transaction(() => {
      for (let i = from; i < Math.min(PROFILES, from + CHUNK); i++) {
        const id = `prof_${i.toString(36).padStart(8, '0')}`;
        const traits = { city: CITIES[Math.floor(random() * CITIES.length)], age: 18 + Math.floor(random() * 60), plan: random() < 0.2 ? 'pro' : 'free', ...(random() < 0.7 ? { email: `${id}@example.com` } : {}) };
        insertProfile.run(id, JSON.stringify(traits), '{}', now, now);
        for (let e = 0; e < EVENTS_PER_PROFILE; e++) {
          const name = EVENTS[Math.floor(random() * EVENTS.length)];
          const props = { total: Math.floor(random() * 500), category: random() < 0.4 ? 'shoes' : 'hats', price: Math.floor(random() * 100) };
          insertEvent.run(++seq, id, 'track', name, now - Math.floor(random() * 180 * DAY), JSON.stringify(props));
        }
      }
    })();
  }
  for (const i of indexes) conn.exec(i.sql);
  conn.pragma('journal_mode = WAL');
  conn.close();
  const generated = (performance.now() - genStart) / 1000;

  const storage = await openStorage({ dataDir });
  const scanStart = performance.now();
  await sql`SELECT COUNT(*), SUM(length(properties)) FROM profile_events`.execute(storage.db);
  const scan = (performance.now() - scanStart) / 1000;
  const service = new SegmentService(storage.db, storage.dialect, systemClock);
  // Definitions only: the recompute below is what is measured.
  for (const s of segments())
    await storage.db
      .insertInto('segments')
      .values({ id: `seg_${s.name.replace(/\W/g, '_')}`, name: s.name, description: null, rule: JSON.stringify(s.rule), tag: null, template: null, created_at: now, updated_at: now })
      .execute();
  const rssBefore = process.memoryUsage().rss;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const results = await service.recomputeAll();
  const recompute = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const recomputeCpu = (cpu.user + cpu.system) / 1e6;
  const peakRss = process.resourceUsage().maxRSS * 1024;
  const members = results.reduce((n, r) => n + r.entered, 0);
  await storage.close();
  return { generated, scan, recompute, recomputeCpu, peakRss, rssBefore, members };
}

const mib = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MiB`;
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, store: SQLite (embedded)`);
console.log(`load average at start: ${load()}`);
process.on('exit', () => console.log(`load average at end: ${load()}`));

const ONLY = process.env.BENCH_SEGMENTS_ONLY; // realtime | batch
if (ONLY !== 'batch') {
const rt = await realtime();
console.log(`\n(a) real time: 20 segments, background ${rt.sent} events in ${rt.seconds}s (${Math.round(rt.sent / rt.seconds)}/s), ${rt.measured}/${rt.probes} probes`);
console.log(`    ack → membership change (segments):   p50 ${ms(pct(rt.seg, 50))}  p99 ${ms(pct(rt.seg, 99))}  (target p99 < 100 ms; 0 = published before the ack reached the client)`);
console.log(`    request sent → membership change:     p50 ${ms(pct(rt.fromSend, 50))}  p99 ${ms(pct(rt.fromSend, 99))}  (includes the ack's own round trip)`);
console.log(`    profile change → membership change:   p50 ${ms(pct(rt.own, 50))}  p99 ${ms(pct(rt.own, 99))}  (the segments stage's own share)`);
console.log(`    baseline, ack → profile change:       p50 ${ms(pct(rt.base, 50))}  p99 ${ms(pct(rt.base, 99))}  (identity, same run)`);
const ratio = (p: number) => (pct(rt.base, p) > 0 ? `${(pct(rt.seg, p) / pct(rt.base, p)).toFixed(2)}×` : 'n/a (profile change visible before the ack)');
console.log(`    ratio to baseline: p50 ${ratio(50)}  p99 ${ratio(99)}`);

}
if (ONLY !== 'realtime') {
const b = await batch();
console.log(`\n(b) batch: ${PROFILES.toLocaleString()} profiles / ${(PROFILES * EVENTS_PER_PROFILE).toLocaleString()} events (generated in ${b.generated.toFixed(1)}s)`);
console.log(`    full recompute of 20 segments:  ${b.recompute.toFixed(1)} s (CPU ${b.recomputeCpu.toFixed(1)} s), ${b.members.toLocaleString()} memberships, peak RSS ${mib(b.peakRss)} (targets < 60 s, < 1 GiB)`);
console.log(`    baseline, one read of every event: ${b.scan.toFixed(2)} s   ratio ${(b.recompute / b.scan).toFixed(1)}×`);
}
