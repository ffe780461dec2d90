// Importing one ad platform report export: decode, parse, refuse the whole report if any row cannot
// be read, then upsert the spend rows. Shared by POST /v1/ad-reports and `meridian ads import`.
import { AppError } from '../../shared/errors.js';
import { decodeReport, parseAdReport } from './parse-report.js';
import type { AdPlatform } from './platforms.js';
import type { AdSpendStore } from './store.js';

export interface AdReportSummary {
  platform: AdPlatform;
  /** Spend rows stored (one per account, campaign and day). */
  rows: number;
  /** Lines skipped: total rows, empty lines. */
  skipped: number;
  from: string | null;
  to: string | null;
}

export async function importAdReport(
  store: AdSpendStore,
  bytes: Buffer,
  platform: AdPlatform,
  opts: { currency?: string; accountId?: string; now: number },
): Promise<AdReportSummary> {
  if (bytes.length === 0) throw new AppError('invalid_body', 400, 'the report is empty: send the platform export (CSV)');
  const parsed = parseAdReport(decodeReport(bytes), platform, { currency: opts.currency, accountId: opts.accountId });
  if (parsed.errors.length > 0)
    throw new AppError('invalid_report', 422, `${parsed.errors.length} rows cannot be read; first: row ${parsed.errors[0].row}: ${parsed.errors[0].message}`, {
      errors: parsed.errors.slice(0, 100),
    });
  await store.upsert(parsed.rows, opts.now);
  const days = parsed.rows.map((r) => r.day).sort();
  return { platform, rows: parsed.rows.length, skipped: parsed.skipped, from: days[0] ?? null, to: days[days.length - 1] ?? null };
}
