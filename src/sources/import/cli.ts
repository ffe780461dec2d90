// `meridian import <file>`: runs an import in this process against the configured store, with a
// progress bar (rows, rate, ETA). Interrupted (Ctrl-C, kill, crash), the same command resumes.
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import cliProgress from 'cli-progress';
import { Value } from '@sinclair/typebox/value';
import type { Config } from '../../config.js';
import { createMeridian } from '../../main.js';
import { AppError } from '../../shared/errors.js';
import { ImportMapping, type ImportFormat, type ImportKind } from './mapping.js';
import { writeErrorReport } from './error-report.js';
import type { ImportProgress } from './importer.js';
import { publicJob } from './store.js';

export interface ImportCommandOptions {
  source: string;
  mapping: string;
  format?: ImportFormat;
  kind?: ImportKind;
  dryRun?: boolean;
  errorReport?: string;
  /** No progress bar (scripts, tests). */
  quiet?: boolean;
}

export async function importCommand(config: Config, file: string, opts: ImportCommandOptions): Promise<number> {
  const mapping = await readMapping(opts.mapping);
  const meridian = await createMeridian(config);
  const { importer } = meridian;
  const out = process.stderr;
  let exitCode = 0;
  let stopRequested = false;
  const onSignal = () => {
    if (stopRequested) return;
    stopRequested = true;
    out.write('\nstopping at the next checkpoint…\n');
    void importer.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const filePath = resolve(file);
    const { job, created } = await importer.prepare({ sourceId: opts.source, filePath, fileName: basename(file), mapping, kind: opts.kind, format: opts.format, dryRun: opts.dryRun });
    if (job.status === 'completed') out.write(`this file was already imported into ${job.sourceId} (import ${job.id}, ${job.imported} events): nothing to do\n`);
    else if (!created) out.write(`resuming import ${job.id} after row ${job.rowsDone}\n`);

    const bar = opts.quiet || !out.isTTY ? undefined : progressBar();
    const started = Date.now();
    const firstRow = job.rowsDone;
    bar?.start(job.fileBytes, 0, { rows: job.rowsDone, rate: 0, failed: job.failedRows });
    const done = await importer.run(job.id, {
      mapping,
      onProgress: (p: ImportProgress) => {
        const rate = Math.round(((p.rowsDone - firstRow) * 1000) / Math.max(1, Date.now() - started));
        bar?.update(Math.min(p.bytesRead, p.totalBytes), { rows: p.rowsDone, rate, failed: p.failedRows });
      },
    });
    bar?.stop();

    const verb = done.dryRun ? 'would import' : 'imported';
    out.write(
      `${done.status}: ${done.rowsDone} rows read, ${verb} ${done.imported}, ${done.duplicates} already present, ${done.failedRows} rows with errors ` +
        `(${((Date.now() - started) / 1000).toFixed(1)} s, import ${done.id})\n`,
    );
    if (opts.errorReport) {
      const n = await writeErrorReport(importer.store, done.id, opts.errorReport);
      out.write(`error report: ${opts.errorReport} (${n} errors)\n`);
    }
    if (done.status === 'interrupted') {
      out.write('interrupted: run the same command again to resume\n');
      exitCode = 130;
    }
    console.log(JSON.stringify(publicJob(done)));
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await meridian.close();
  }
  return exitCode;
}

async function readMapping(path: string): Promise<ImportMapping> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new AppError('invalid_mapping', 400, `cannot read the mapping ${path}: ${(err as Error).message}`);
  }
  const first = Value.Errors(ImportMapping, value).First();
  if (first) throw new AppError('invalid_mapping', 400, `mapping ${path}: ${first.path || '/'} ${first.message}`);
  return value as ImportMapping;
}

function progressBar() {
  return new cliProgress.SingleBar(
    {
      format: '{bar} {percentage}% | {rows} rows | {rate} rows/s | ETA {eta_formatted} | {failed} failed',
      etaBuffer: 50,
      hideCursor: true,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
}
