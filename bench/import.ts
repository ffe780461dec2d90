// Import benchmark (`npm run bench:import`): a 1M-row CSV of orders (generated deterministically)
// imported end to end in-process on the embedded store — stream, map, normalise, append to the log —
// then the pipeline drained (identity resolution, profiles, segments … whatever stages are registered).
// Baseline in the same run: csv-parse alone streaming the same file. Prints rows/s, the ratio, and
// peak RSS sampled during the import, the CPU time per row (both threads: the importer and the log's
// writer) and the load average (other work on the machine skews every figure). Settings (env): BENCH_N
// (rows, default 1000000), BENCH_DRAIN=0 to stop after the import (draining 1M events through every
// stage takes far longer than the import itself).
import { createReadStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parse } from 'csv-parse';
import type { ImportMapping } from '../src/sources/import/index.js';
import { built } from './built.js';
import { ORDER_MAPPING, writeOrdersCsv } from '../test/helpers/import-files.js';

const { loadConfig } = await built<typeof import('../src/config.js')>('config.js');
const { createMeridian } = await built<typeof import('../src/main.js')>('main.js');

const N = Number(process.env.BENCH_N ?? 1_000_000);
const DRAIN = process.env.BENCH_DRAIN !== '0';
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;

const dir = mkdtempSync(join(tmpdir(), 'meridian-bench-import-'));
const file = join(dir, 'orders.csv');
try {
  let t = performance.now();
  await writeOrdersCsv(file, N);
  console.log(`generated ${N} rows (${mb(statSync(file).size)}) in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  // Baseline: the CSV parser alone, streaming the same file.
  t = performance.now();
  let parsed = 0;
  for await (const _record of createReadStream(file).pipe(parse({ columns: true }))) parsed++;
  const baselineS = (performance.now() - t) / 1000;

  const meridian = await createMeridian(loadConfig({ dataDir: join(dir, 'data'), logLevel: 'silent', port: 0 }, {}));
  const source = await meridian.sources.create({ name: 'bench import', type: 'import' });
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);

  const loadBefore = load();
  t = performance.now();
  const cpuBefore = process.cpuUsage();
  const { job } = await meridian.importer.prepare({ sourceId: source.id, filePath: file, fileName: 'orders.csv', mapping: ORDER_MAPPING as ImportMapping });
  const done = await meridian.importer.run(job.id);
  const importS = (performance.now() - t) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuPerRow = (cpu.user + cpu.system) / N;
  const loadAfter = load();
  const importPeak = peakRss;
  const rate = (s: number) => Math.round(N / s).toLocaleString('en-US');
  // Printed before the drain: on a slow pipeline the import figures are known long before the end.
  console.log(`import: ${rate(importS)} rows/s (${importS.toFixed(1)} s), peak RSS ${mb(importPeak)}; csv-parse alone ${rate(baselineS)} rows/s${DRAIN ? '; draining the pipeline…' : ''}`);
  t = performance.now();
  if (DRAIN) await meridian.drainPipeline();
  const drainS = (performance.now() - t) / 1000;
  clearInterval(sampler);
  await meridian.close();
  if (done.imported !== N || parsed !== N) throw new Error(`expected ${N} rows, imported ${done.imported}, parsed ${parsed}`);

  const stages = meridian.stages.length;
  const lines = [
    `machine: ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}; load average ${loadBefore} before the import, ${loadAfter} after it`,
    `baseline  csv-parse alone:            ${rate(baselineS)} rows/s (${baselineS.toFixed(1)} s)`,
    `import    to the event log:           ${rate(importS)} rows/s (${importS.toFixed(1)} s), peak RSS ${mb(importPeak)}, CPU ${cpuPerRow.toFixed(1)} µs/row`,
    ...(DRAIN
      ? [
          `pipeline  drain (${stages} stages):            ${drainS.toFixed(1)} s`,
          `end to end (import + pipeline):       ${rate(importS + drainS)} rows/s`,
          `ratio     import / baseline:          ${(baselineS / importS).toFixed(3)}  (end to end: ${(baselineS / (importS + drainS)).toFixed(3)})`,
        ]
      : [`ratio     import / baseline:          ${(baselineS / importS).toFixed(3)}  (pipeline not drained: BENCH_DRAIN=0)`]),
    `peak RSS  whole run:                  ${mb(peakRss)}`,
  ];
  console.log(lines.join('\n'));
  if (process.env.BENCH_OUT) writeFileSync(process.env.BENCH_OUT, lines.join('\n') + '\n');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
