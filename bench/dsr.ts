// Data-subject delete benchmark (`npm run bench:dsr`): the time of one person's delete job — resolve,
// erase from every personal-data table and the event log (secure_delete zeroes the rows in place),
// compact the store (checkpoint of both SQLite files, byte search of every file for the person's
// values, VACUUM only of a file still holding one) — in a store of N people against the same job in a store of N/10 people built in
// the same run (the baseline), so the ratio shows how the job grows with the store. Also the erase
// alone (no compaction), the compaction alone and an access export, at each size. People are appended straight to the log (seeded:
// identify + BENCH_DSR_EVENTS track events each) and the pipeline drained, so profiles, identities,
// timelines and segments exist as after real ingest. In-process, through the request API's own code.
// Settings (env): BENCH_DSR_PEOPLE (20000), BENCH_DSR_EVENTS (10 per person), BENCH_DSR_RUNS (3), BENCH_DIR (.bench).
// Numbers on a shared, loaded machine are noisy: compare the ratio, and re-run before quoting.
import { mkdirSync, rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { NewLogEvent } from '../src/log/index.js';
import { built } from './built.js';

const { createMeridian } = await built<typeof import('../src/main.js')>('main.js');
const { loadConfig } = await built<typeof import('../src/config.js')>('config.js');
const { compactStore, eraseSubject, resolveSubject } = await built<typeof import('../src/privacy/index.js')>('privacy/index.js');

const PEOPLE = Number(process.env.BENCH_DSR_PEOPLE ?? 20_000);
const EVENTS = Number(process.env.BENCH_DSR_EVENTS ?? 10);
const RUNS = Number(process.env.BENCH_DSR_RUNS ?? 3);
const DIR = resolve(process.env.BENCH_DIR ?? '.bench', 'dsr');
const ADMIN = 'bench-admin-key-0123456789';
const T0 = Date.parse('2026-01-01T00:00:00Z');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function personEvents(i: number): NewLogEvent[] {
  const userId = `user-${i}`;
  const out: NewLogEvent[] = [];
  const ev = (type: string, event: string | null, n: number, body: Record<string, unknown>): NewLogEvent => {
    const ts = T0 + i * 1000 + n;
    const messageId = `m-${i}-${n}`;
    return { sourceId: 'bench', messageId, type, event, userId, anonymousId: `anon-${i}`, ts, receivedAt: ts, payload: JSON.stringify({ type, userId, anonymousId: `anon-${i}`, messageId, timestamp: new Date(ts).toISOString(), ...body }) };
  };
  out.push(ev('identify', null, 0, { traits: { email: `person${i}@example.com`, phone: `+8869${String(10_000_000 + i).slice(-8)}`, name: `Person ${i}`, plan: i % 3 === 0 ? 'vip' : 'free' } }));
  for (let n = 1; n <= EVENTS; n++) out.push(ev('track', 'Order Completed', n, { event: 'Order Completed', properties: { total: (i * 7 + n) % 200 } }));
  return out;
}

async function store(people: number) {
  const dataDir = join(DIR, String(people));
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const m = await createMeridian(loadConfig({ port: 0, host: '127.0.0.1', dataDir, logLevel: 'silent', adminKey: ADMIN }, {}));
  const url = await m.listen();
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(url + path, { method, headers: { authorization: `Bearer ${ADMIN}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
    return (await res.json()) as Record<string, any>;
  };
  await api('POST', '/v1/segments', { name: 'VIP', rule: { version: 1, root: { type: 'trait', path: 'plan', op: 'equals', value: 'vip' } } });
  const started = performance.now();
  for (let i = 0; i < people; i += 500) {
    const batch: NewLogEvent[] = [];
    for (let j = i; j < Math.min(people, i + 500); j++) batch.push(...personEvents(j));
    await m.log.append(batch);
  }
  await m.drainPipeline();
  const loadS = (performance.now() - started) / 1000;
  /** Files the job and waits for its end; returns the wall time in ms. */
  const job = async (kind: string, email: string) => {
    const t = performance.now();
    const { id } = await api('POST', '/v1/privacy/requests', { kind, identifier: { type: 'email', value: email } });
    for (;;) {
      const r = await api('GET', `/v1/privacy/requests/${id}`);
      if (r.status === 'completed') return performance.now() - t;
      if (r.status === 'failed') throw new Error(`request ${id} failed: ${JSON.stringify(r.result)}`);
      await new Promise((ok) => setTimeout(ok, 5));
    }
  };
  return { m, job, loadS };
}

console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, store: SQLite (embedded); ${EVENTS + 1} events per person`);
const results: Record<string, number> = {};
for (const people of [Math.max(10, Math.round(PEOPLE / 10)), PEOPLE]) {
  const { m, job, loadS } = await store(people);
  const deletes: number[] = [];
  for (let r = 0; r < RUNS; r++) deletes.push(await job('delete', `person${Math.floor(((r + 1) * people) / (RUNS + 2))}@example.com`));
  const access = await job('access', `person${people - 1}@example.com`);
  // The erase alone (no compaction), in-process: what a delete costs before the files are checked.
  const erase: number[] = [];
  const erasedValues: string[] = [];
  for (let r = 0; r < RUNS; r++) {
    const subject = await resolveSubject(m.storage.db, m.storage.dialect, Buffer.alloc(32), `email:person${people - 2 - r}@example.com`);
    erasedValues.push(...subject.proofValues);
    const t = performance.now();
    await eraseSubject(m.storage.db, m.storage.dialect, m.log, subject);
    erase.push(performance.now() - t);
  }
  // Compaction as a delete runs it: checkpoints, then the byte search of every file for the erased
  // people's values (a VACUUM only of a file still holding any).
  const compaction: number[] = [];
  let report: Awaited<ReturnType<typeof compactStore>>;
  for (let r = 0; r < RUNS; r++) {
    const t = performance.now();
    report = await compactStore(m.storage.db, m.storage.dialect, m.log, m.storage.compact, { dataDir: join(DIR, String(people)), values: erasedValues });
    compaction.push(performance.now() - t);
  }
  // For comparison, once: the full rewrite (checkpoint + VACUUM of both files) every delete used to run.
  const fullStarted = performance.now();
  await compactStore(m.storage.db, m.storage.dialect, m.log, m.storage.compact);
  const full = performance.now() - fullStarted;
  results[people] = median(deletes);
  console.log(
    `${people.toLocaleString('en')} people (${(people * (EVENTS + 1)).toLocaleString('en')} events, loaded in ${loadS.toFixed(1)} s): delete job median ${median(deletes).toFixed(0)} ms (runs ${deletes.map((d) => d.toFixed(0)).join(', ')}), erase without compaction median ${median(erase).toFixed(1)} ms, compaction with byte-search proof median ${median(compaction).toFixed(0)} ms (VACUUMed: ${report!?.vacuumed.join(', ') || 'none'}; files still holding a value: ${report!?.residue.length ?? '?'}), full VACUUM compaction ${full.toFixed(0)} ms, access export ${access.toFixed(0)} ms`,
  );
  await m.close();
}
const [small, large] = Object.keys(results).map(Number).sort((a, b) => a - b);
console.log(`ratio: delete job at ${large.toLocaleString('en')} people / at ${small.toLocaleString('en')} people (baseline) = ${(results[large] / results[small]).toFixed(2)}× for ${(large / small).toFixed(0)}× the data`);
console.log('(a shared, loaded machine: absolute times are noisy; the byte search reads every file once, so it grows with the store, but far slower than a VACUUM rewrite)');
