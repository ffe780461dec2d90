// `meridian ads import <file> --platform <p>`: imports an ad platform's report export into the
// configured store, the same way as POST /v1/ad-reports. Prints a summary on stderr and the result
// as JSON on stdout; a report with unreadable rows is refused whole, listing the rows.
import { readFile } from 'node:fs/promises';
import type { Config } from '../../config.js';
import { systemClock } from '../../shared/clock.js';
import { AppError } from '../../shared/errors.js';
import { openStorage } from '../../storage/index.js';
import { importAdReport } from './import-report.js';
import type { AdPlatform } from './platforms.js';
import { AdSpendStore } from './store.js';

export async function adsImportCommand(config: Config, file: string, opts: { platform: AdPlatform; currency?: string; account?: string }): Promise<number> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw new Error(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  const storage = await openStorage({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  try {
    const summary = await importAdReport(new AdSpendStore(storage.db, storage.dialect), bytes, opts.platform, {
      currency: opts.currency,
      accountId: opts.account,
      now: systemClock.now(),
    });
    const range = summary.from ? `${summary.from} to ${summary.to}` : 'no days';
    process.stderr.write(`${opts.platform}: ${summary.rows} campaign-days stored (${range}), ${summary.skipped} total or empty lines skipped\n`);
    console.log(JSON.stringify(summary));
    return 0;
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    process.stderr.write(`meridian: ${err.message}\n`);
    const rows = (err.details as { errors?: { row: number; message: string }[] } | undefined)?.errors ?? [];
    for (const e of rows) process.stderr.write(`  row ${e.row}: ${e.message}\n`);
    if (err.code === 'invalid_report' && rows.length > 0) process.stderr.write('nothing was imported: fix these rows and import the file again\n');
    return 1;
  } finally {
    await storage.close();
  }
}
