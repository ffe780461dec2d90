// A large CSV import through the real `meridian import` command in a child process: memory stays
// flat while 100k rows stream through (its RSS is sampled from /proc), a re-run imports nothing, and
// a run killed mid-way resumes to exactly one event per row. The log's dedupe window is set to 0 so
// that only the import's own ledger can prevent duplicates. (1M rows run in `npm run bench:import`;
// 100k keep this test around a minute on two shared cores.)
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openStorage, type Storage } from '../src/storage/index.js';
import { ORDER_MAPPING, writeOrdersCsv } from './helpers/import-files.js';

const ROWS = 100_000;
const CLI = ['--import', 'tsx', 'src/cli/index.ts'];

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** [ms since start, RSS bytes] */
  rss: [number, number][];
}

function meridian(dataDir: string, args: string[], opts: { killWhen?: () => Promise<boolean> } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...CLI, '--data-dir', dataDir, ...args], {
      cwd: process.cwd(),
      // A capped old space: an import that held on to its rows would die of heap exhaustion long
      // before the end, and V8 collects before growing the heap, so RSS samples show the trend and
      // not just how lazily the collector ran.
      env: { ...process.env, MERIDIAN_DEDUPE_WINDOW_HOURS: '0', NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --max-old-space-size=128` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const run: Run = { code: null, signal: null, stdout: '', stderr: '', rss: [] };
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
      Object.assign(run, { code, signal });
      resolve(run);
    });
  });
}

describe('large CSV import in a child process', () => {
  let dir: string;
  let dataDir: string;
  let file: string;
  let mappingFile: string;
  let storage: Storage;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'meridian-import-'));
    dataDir = join(dir, 'data');
    file = join(dir, 'orders.csv');
    mappingFile = join(dir, 'mapping.json');
    await writeOrdersCsv(file, ROWS);
    writeFileSync(mappingFile, JSON.stringify(ORDER_MAPPING));
    storage = await openStorage({ dataDir });
  }, 120_000);
  afterAll(async () => {
    await storage?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const createSource = async (name: string) => {
    const run = await meridian(dataDir, ['sources', 'create', '--name', name, '--json']);
    expect(run.code, run.stderr).toBe(0);
    return (JSON.parse(run.stdout) as { id: string }).id;
  };
  const counts = async (sourceId: string) => {
    const row = await storage.db
      .selectFrom('events')
      .select([sql<number>`count(*)`.as('n'), sql<number>`count(distinct message_id)`.as('ids')])
      .where('source_id', '=', sourceId)
      .executeTakeFirstOrThrow();
    return { events: Number(row.n), distinctIds: Number(row.ids) };
  };

  it('streams 100k rows with flat memory and imports nothing when run again', async () => {
    const source = await createSource('orders');
    const run = await meridian(dataDir, ['import', file, '--source', source, '--mapping', mappingFile, '--quiet']);
    expect(run.code, run.stderr).toBe(0);
    expect(await counts(source)).toEqual({ events: ROWS, distinctIds: ROWS });

    // Memory after the first fifth of the run (start-up and warm caches) against the peak after it:
    // holding on to rows would add about 100 MB or more over 100k rows.
    const end = run.rss[run.rss.length - 1][0];
    const early = Math.max(...run.rss.filter(([t]) => t > end * 0.2 && t <= end * 0.4).map(([, r]) => r));
    const late = Math.max(...run.rss.filter(([t]) => t > end * 0.4).map(([, r]) => r));
    const mb = (b: number) => Math.round(b / 1024 / 1024);
    console.log(`[import-large] ${ROWS} rows in ${(end / 1000).toFixed(1)} s; RSS early ${mb(early)} MB, late peak ${mb(late)} MB`);
    expect(late - early).toBeLessThan(64 * 1024 * 1024);
    expect(late).toBeLessThan(400 * 1024 * 1024);

    const again = await meridian(dataDir, ['import', file, '--source', source, '--mapping', mappingFile, '--quiet']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/already imported/);
    expect(await counts(source)).toEqual({ events: ROWS, distinctIds: ROWS });
  }, 240_000);

  it('resumes an import killed mid-way and ends with every row exactly once', async () => {
    const source = await createSource('orders, interrupted');
    const progress = async () => {
      const job = await storage.db.selectFrom('imports').select(['rows_done']).where('source_id', '=', source).executeTakeFirst();
      return job?.rows_done ?? 0;
    };
    const killed = await meridian(dataDir, ['import', file, '--source', source, '--mapping', mappingFile, '--quiet'], {
      killWhen: async () => (await progress()) >= ROWS / 4,
    });
    expect(killed.signal).toBe('SIGKILL');
    const job = await storage.db.selectFrom('imports').selectAll().where('source_id', '=', source).executeTakeFirstOrThrow();
    expect(job.status).toBe('running'); // as the killed process left it
    expect(job.rows_done).toBeGreaterThan(0);
    expect(job.rows_done).toBeLessThan(ROWS);
    const before = await counts(source);
    expect(before.events).toBeGreaterThanOrEqual(job.rows_done);

    const resumed = await meridian(dataDir, ['import', file, '--source', source, '--mapping', mappingFile, '--quiet']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(new RegExp(`resuming import ${job.id} after row ${job.rows_done}`));
    expect(await counts(source)).toEqual({ events: ROWS, distinctIds: ROWS });
    const done = JSON.parse(resumed.stdout.trim().split('\n').pop()!) as { status: string; rowsDone: number; imported: number; duplicates: number };
    expect(done).toMatchObject({ status: 'completed', rowsDone: ROWS });
    // Rows the killed run appended after its last checkpoint are recognised, not appended twice.
    expect(done.imported + done.duplicates).toBe(ROWS);
  }, 240_000);
});
