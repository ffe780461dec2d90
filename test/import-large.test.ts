// A large CSV import (600k rows; 1M under MERIDIAN_TEST_FULL=1) through the real `meridian import` command in child processes: the first run is
// killed (SIGKILL) part of the way in, the second resumes it and streams the whole file again
// (rows before the checkpoint are parsed and skipped), a third imports nothing. Memory is sampled from
// /proc while the two import runs stream the file; the log must end with exactly one event per row.
// The log's dedupe window is set to 0, so only the import's own ledger can prevent duplicates.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openStorage, type Storage } from '../src/storage/index.js';
import { ORDER_MAPPING, writeOrdersCsv } from './helpers/import-files.js';
import { bySize } from './helpers/scale.js';

// The killed run streams ~300k rows either way (a third of 1M, half of 600k): long enough for its RSS
// to settle after start-up before the growth samples, and ~180k rows between them — held as objects
// they would be over 100 MB, above the 64 MB growth bound below.
const ROWS = bySize(1_000_000, 600_000);
const KILL_AT = Math.floor(bySize(ROWS / 3, ROWS / 2));
const CLI = ['--import', 'tsx', 'src/cli/index.ts'];
const MB = 1024 * 1024;

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** [ms since start, RSS bytes] */
  rss: [number, number][];
}

function meridian(dataDir: string, args: string[], opts: { killWhen?: () => Promise<boolean> } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...CLI, '--data-dir', dataDir, ...args], {
      cwd: process.cwd(),
      // A capped old space: an import that held on to its rows (1M rows are several hundred MB as
      // objects) would die of heap exhaustion long before the end, and V8 collects before growing the
      // heap, so RSS samples show the trend and not just how lazily the collector ran.
      env: { ...process.env, MERIDIAN_DEDUPE_WINDOW_HOURS: '0', NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --max-old-space-size=128` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const run: Run = { code: null, signal: null, stdout: '', stderr: '', ms: 0, rss: [] };
    const started = Date.now();
    child.stdout.on('data', (d) => (run.stdout += d));
    child.stderr.on('data', (d) => (run.stderr += d));
    let checking = false;
    const timer = setInterval(async () => {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
        if (kb) run.rss.push([Date.now() - started, kb * 1024]);
      } catch {
        // the child has just exited
      }
      if (opts.killWhen && !checking) {
        checking = true;
        if (await opts.killWhen()) child.kill('SIGKILL');
        checking = false;
      }
    }, 50);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearInterval(timer);
      Object.assign(run, { code, signal, ms: Date.now() - started });
      resolve(run);
    });
  });
}

/**
 * RSS after the first fifth of a run (start-up done, caches warm, heap at its working size) and the
 * peak after that. Streaming keeps the two close; keeping rows makes the peak grow with the rows read.
 */
function memory(run: Run) {
  const end = run.rss[run.rss.length - 1][0];
  // Windows by time: on a loaded machine start-up (loading every capability) can reach past the first
  // fifth of a short run, so the early window starts at 30 % and the late one is the second half.
  const early = Math.max(...run.rss.filter(([t]) => t > end * 0.3 && t <= end * 0.5).map(([, r]) => r));
  const late = Math.max(...run.rss.filter(([t]) => t > end * 0.5).map(([, r]) => r));
  return { early, late, growth: late - early };
}

describe(`${ROWS / 1000}k-row CSV import in child processes`, () => {
  let dir: string;
  let dataDir: string;
  let file: string;
  let mappingFile: string;
  let storage: Storage;
  let source: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'meridian-import-'));
    dataDir = join(dir, 'data');
    file = join(dir, 'orders.csv');
    mappingFile = join(dir, 'mapping.json');
    await writeOrdersCsv(file, ROWS); // streamed to disk (~88 MB), never held in memory
    writeFileSync(mappingFile, JSON.stringify(ORDER_MAPPING));
    storage = await openStorage({ dataDir });
    const run = await meridian(dataDir, ['sources', 'create', '--name', 'orders', '--json']);
    expect(run.code, run.stderr).toBe(0);
    source = (JSON.parse(run.stdout) as { id: string }).id;
  });
  afterAll(async () => {
    await storage?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const counts = async () => {
    const row = await storage.db
      .selectFrom('events')
      .select([sql<number>`count(*)`.as('n'), sql<number>`count(distinct message_id)`.as('ids')])
      .where('source_id', '=', source)
      .executeTakeFirstOrThrow();
    return { events: Number(row.n), distinctIds: Number(row.ids) };
  };
  const job = () => storage.db.selectFrom('imports').selectAll().where('source_id', '=', source).executeTakeFirst();
  const importArgs = () => ['import', file, '--source', source, '--mapping', mappingFile, '--quiet'];
  const log = (what: string, run: Run, rows: number) => {
    const m = memory(run);
    console.log(
      `[import-large] ${what}: ${rows} rows in ${(run.ms / 1000).toFixed(1)} s (${Math.round((rows * 1000) / run.ms)} rows/s incl. start-up); ` +
        `RSS early ${Math.round(m.early / MB)} MB, late peak ${Math.round(m.late / MB)} MB`,
    );
  };
  // Holding on to rows: 100k of these events alone are ~60 MB of strings and objects, so a bound of
  // 64 MB over 180k+ rows fails long before the heap cap would.
  const GROWTH_LIMIT = 64 * MB;
  const PEAK_LIMIT = 450 * MB;
  let killedAt = 0;

  it('is killed mid-way with its rows up to the checkpoint in the log', async () => {
    const killed = await meridian(dataDir, importArgs(), { killWhen: async () => ((await job())?.rows_done ?? 0) >= KILL_AT });
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    const j = (await job())!;
    expect(j.status).toBe('running'); // as the killed process left it
    expect(j.rows_done).toBeGreaterThanOrEqual(KILL_AT);
    expect(j.rows_done).toBeLessThan(ROWS);
    killedAt = j.rows_done;
    expect((await counts()).events).toBeGreaterThanOrEqual(killedAt);
    log('killed run', killed, killedAt);
    const m = memory(killed);
    expect(m.growth).toBeLessThan(GROWTH_LIMIT);
    expect(m.late).toBeLessThan(PEAK_LIMIT);
  }, 180_000);

  it('resumes, streams the whole file in flat memory and ends with every row exactly once', async () => {
    expect(killedAt).toBeGreaterThan(0);
    const resumed = await meridian(dataDir, importArgs());
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(new RegExp(`resuming import \\S+ after row ${killedAt}`));
    expect(await counts()).toEqual({ events: ROWS, distinctIds: ROWS });
    const done = JSON.parse(resumed.stdout.trim().split('\n').pop()!) as { status: string; rowsDone: number; imported: number; duplicates: number; failedRows: number };
    expect(done).toMatchObject({ status: 'completed', rowsDone: ROWS, failedRows: 0 });
    // Rows the killed run appended after its last checkpoint are recognised, not appended twice.
    expect(done.imported + done.duplicates).toBe(ROWS);
    log('resumed run', resumed, ROWS - killedAt);
    const m = memory(resumed);
    expect(m.growth).toBeLessThan(GROWTH_LIMIT);
    expect(m.late).toBeLessThan(PEAK_LIMIT);
  }, 180_000);

  it('imports nothing when run again: the file is recognised by its hash', async () => {
    const again = await meridian(dataDir, importArgs());
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/already imported/);
    expect(await counts()).toEqual({ events: ROWS, distinctIds: ROWS });
    const done = JSON.parse(again.stdout.trim().split('\n').pop()!) as { status: string; imported: number };
    expect(done).toMatchObject({ status: 'completed', imported: ROWS });
    console.log(`[import-large] re-run of the ${Math.round(statSync(file).size / MB)} MB file: ${(again.ms / 1000).toFixed(1)} s, nothing appended`);
  });
});
