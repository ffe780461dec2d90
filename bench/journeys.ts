// Journeys benchmark (`npm run bench:journeys`), embedded store, in-process server on the system clock.
// BENCH_JOURNEYS_N people wait in a journey (wait → webhook send → exit), their waits due uniformly over
// a BENCH_JOURNEYS_WINDOW_S-second window starting 3 s after the run begins (enrollment rows seeded
// straight into the table, as a running journey leaves them). The timer loop fires them; each firing
// runs the send step (render + outbox row, the webhook destination paused so delivery does not
// compete) and the exit. Reported: lateness (step execution time − due time) p50/p99/max, step
// executions per second while catching up, CPU seconds of the process and people per CPU-second
// (the steadier figure on a shared machine), peak RSS. Baseline in the same run: the least a
// per-person timer costs on this store — select the due rows and update each one, in transactions of
// the runner's batch size, over the same number of rows.
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { built } from './built.js';

const { loadConfig } = await built<typeof import('../src/config.js')>('config.js');
const { createMeridian } = await built<typeof import('../src/main.js')>('main.js');

const N = Number(process.env.BENCH_JOURNEYS_N ?? 20_000);
const WINDOW_S = Number(process.env.BENCH_JOURNEYS_WINDOW_S ?? 10);
const BENCH_DIR = resolve(process.env.BENCH_DIR ?? '.bench');
const ADMIN = randomBytes(24).toString('hex');

const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

const dataDir = join(BENCH_DIR, `journeys-${process.pid}`);
rmSync(dataDir, { recursive: true, force: true });
mkdirSync(dataDir, { recursive: true });
const meridian = await createMeridian(loadConfig({ port: 0, host: '127.0.0.1', dataDir, logLevel: 'error', adminKey: ADMIN }, {}));
const url = await meridian.listen();
const admin = async (path: string, body?: unknown) => {
  const r = await fetch(url + path, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
  if (r.status >= 300) throw new Error(`${path}: ${r.status} ${await r.text()}`);
  return (await r.json()) as { id: string };
};
const hook = await admin('/v1/destinations', { name: 'hook', kind: 'events', connector: 'webhook', filter: { events: [] }, config: { url: 'http://127.0.0.1:9/' } });
await admin(`/v1/destinations/${hook.id}/pause`);
const journey = await admin('/v1/journeys', {
  name: 'bench',
  definition: {
    version: 1,
    trigger: { type: 'event', event: 'Bench' },
    steps: [
      { id: 'wait', type: 'wait', duration: { amount: 1, unit: 'hours' }, next: 'send' },
      { id: 'send', type: 'send', channel: 'webhook', destinationId: hook.id, message: { data: { hello: 'Hi {{ profile.name }}' } }, next: 'end' },
      { id: 'end', type: 'exit' },
    ],
  },
});
await admin(`/v1/journeys/${journey.id}/activate`);

const db = meridian.storage.db;
async function seed(table: 'journey_enrollments', start: number) {
  const due: number[] = [];
  for (let i = 0; i < N; i += 2000) {
    const rows: Record<string, unknown>[] = [];
    for (let k = i; k < Math.min(N, i + 2000); k++) {
      const at = start + Math.floor((k / N) * WINDOW_S * 1000);
      due.push(at);
      rows.push({ id: `jen_b${k}`, journey_id: journey.id, version: 1, profile_id: `prof_${k}`, entry_no: 1, state: 'active', step_id: 'wait', due_at: at, holdout: 0, variant: null, context: '{}', entered_at: at - 3_600_000, step_at: at - 3_600_000, exited_at: null, exit_reason: null, revenue: null });
    }
    await db.transaction().execute(async (trx) => {
      for (let c = 0; c < rows.length; c += 60) await trx.insertInto(table).values(rows.slice(c, c + 60) as never).execute();
    });
  }
  return due;
}

// Baseline: select due rows and update each, in transactions of 200, over N seeded rows (all due now).
await seed('journey_enrollments', Date.now() - 1);
let t = performance.now();
for (;;) {
  const rows = await db.selectFrom('journey_enrollments').select('id').where('state', '=', 'active').where('due_at', '<=', Date.now()).orderBy('due_at').limit(200).execute();
  if (rows.length === 0) break;
  await db.transaction().execute(async (trx) => {
    for (const r of rows) await trx.updateTable('journey_enrollments').set({ due_at: null, state: 'completed' }).where('id', '=', r.id).execute();
  });
}
const baselinePerS = N / ((performance.now() - t) / 1000);
await db.deleteFrom('journey_enrollments').execute();

// The run: the server's own timer loop fires the waits.
let peakRss = process.memoryUsage().rss;
const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
const start = Date.now() + 3000;
await seed('journey_enrollments', start);
t = performance.now();
// CPU of the whole process (the server runs in it; the bench's own polling is a count every 200 ms):
// wall time is noisy on a shared machine, CPU time per person much less so.
const cpu0 = process.cpuUsage();
for (;;) {
  // Whether anyone is still waiting (one index probe; a count would scan up to N rows every poll).
  const left = await db.selectFrom('journey_enrollments').select('id').where('journey_id', '=', journey.id).where('state', '=', 'active').limit(1).executeTakeFirst();
  if (left === undefined) break;
  await new Promise((r) => setTimeout(r, 200));
}
const wall = (Date.now() - start) / 1000;
const cpu = process.cpuUsage(cpu0);
const cpuS = (cpu.user + cpu.system) / 1e6;
clearInterval(rssTimer);
const fired = await db.selectFrom('journey_activity').select(['profile_id', 'at']).where('journey_id', '=', journey.id).where('kind', '=', 'sent').execute();
const late = fired.map((r) => Number(r.at) - (start + Math.floor((Number(r.profile_id.slice(5)) / N) * WINDOW_S * 1000))).sort((a, b) => a - b);
const queued = await db.selectFrom('deliveries').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
const stepsPerS = (N * 2) / Math.max(wall, 1e-9);

console.log(`bench:journeys — ${N} people, waits due over ${WINDOW_S} s; nproc ${cpus().length}, Node ${process.version}, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log(`fired ${fired.length}/${N}, outbox rows ${queued?.n}`);
console.log(`lateness p50 ${pct(late, 50)} ms, p99 ${pct(late, 99)} ms, max ${late[late.length - 1]} ms`);
console.log(`step executions/s over the window ${stepsPerS.toFixed(0)} (send + exit per person); all done ${wall.toFixed(1)} s after the first due`);
console.log(`CPU ${cpuS.toFixed(2)} s (user ${(cpu.user / 1e6).toFixed(2)}, system ${(cpu.system / 1e6).toFixed(2)}): ${(N / cpuS).toFixed(0)} people per CPU-second`);
console.log(`baseline (select + update per row, 200 per transaction): ${baselinePerS.toFixed(0)} rows/s; runner people/s ÷ baseline = ${(N / wall / baselinePerS).toFixed(3)}`);
console.log(`peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB`);
await meridian.close();
rmSync(dataDir, { recursive: true, force: true });
