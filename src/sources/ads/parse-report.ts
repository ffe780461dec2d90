// Parses an ad platform's CSV export into spend rows per day and campaign. Pure: text in, rows and
// per-row errors out. Tolerates what real exports contain: a BOM, UTF-16 or GB18030 encoding, tab
// separation, title lines above the header, and total rows at the end.
import { parse } from 'csv-parse/sync';
import { AppError } from '../../shared/errors.js';
import { hasNul, unstorableError } from '../../shared/storable-text.js';
import { parseDate, parseNumber, ValueError } from '../import/parse-value.js';
import { PLATFORM_FORMATS, headerKey, type AdPlatform, type SpendField } from './platforms.js';

export interface SpendRow {
  day: string;
  channel: AdPlatform;
  accountId: string;
  campaignId: string;
  campaignName: string;
  currency: string;
  costMicros: number;
  impressions: number;
  clicks: number;
  conversions: number | null;
}

export interface ParsedReport {
  rows: SpendRow[];
  skipped: number;
  errors: { row: number; message: string }[];
}

const TOTAL = /^(total|合计|总计|汇总|--)/i;
const HEADER_SEARCH_LINES = 10;

export function decodeReport(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // Baidu and other Chinese back-ends export for Excel in GBK/GB18030.
    return new TextDecoder('gb18030').decode(bytes);
  }
}

export function parseAdReport(text: string, platform: AdPlatform, opts: { currency?: string; accountId?: string } = {}): ParsedReport {
  if (hasNul(text)) throw unstorableError('the report');
  const format = PLATFORM_FORMATS[platform];
  const body = text.replace(/^\uFEFF/, '');
  const firstLines = body.split(/\r?\n/, HEADER_SEARCH_LINES);
  const delimiter = firstLines.some((l) => l.split('\t').length > l.split(',').length) ? '\t' : ',';
  const records = parse(body, { bom: true, delimiter, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, trim: true }) as string[][];

  const headerIndex = records.slice(0, HEADER_SEARCH_LINES).findIndex((r) => findColumns(r, platform).missing.length === 0);
  if (headerIndex < 0) {
    const best = records.slice(0, HEADER_SEARCH_LINES).map((r) => findColumns(r, platform)).sort((a, b) => a.missing.length - b.missing.length)[0];
    throw new AppError('invalid_report', 422, `not a ${platform} report: no header row with ${best?.missing.join(', ') ?? 'day, campaign and cost'} columns`, {
      platform,
      missing: best?.missing,
      expected: Object.fromEntries(Object.entries(format.columns).map(([k, v]) => [k, v])),
    });
  }
  const { index, currencyFromHeader } = findColumns(records[headerIndex], platform);
  const cell = (r: string[], f: SpendField) => (index[f] === undefined ? '' : (r[index[f]!] ?? '').trim());

  const rows = new Map<string, SpendRow>();
  const errors: ParsedReport['errors'] = [];
  let skipped = 0;
  records.slice(headerIndex + 1).forEach((r, i) => {
    const rowNumber = headerIndex + i + 2; // 1-based line of the file, for people reading it in a spreadsheet
    const dayText = cell(r, 'day');
    if (dayText === '' || r.some((c) => TOTAL.test(c.trim()))) {
      skipped++;
      return;
    }
    try {
      const day = toDay(dayText);
      const dayEnd = cell(r, 'dayEnd');
      if (dayEnd !== '' && toDay(dayEnd) !== day)
        throw new ValueError('not_daily', `the row covers ${day} to ${toDay(dayEnd)}: export with a daily breakdown (Breakdown → By time → Day)`);
      const campaignName = cell(r, 'campaignName');
      if (campaignName === '') throw new ValueError('missing_value', 'the campaign name is empty');
      const cost = parseNumber(cell(r, 'cost').replace(/^[^\d(-]+/, '')) ?? 0;
      const row: SpendRow = {
        day,
        channel: platform,
        accountId: opts.accountId ?? cell(r, 'accountId'),
        campaignId: cell(r, 'campaignId') || campaignName,
        campaignName,
        currency: (cell(r, 'currency') || currencyFromHeader || opts.currency || format.defaultCurrency || '').toUpperCase(),
        costMicros: Math.round(cost * 1_000_000),
        impressions: Math.round(parseNumber(cell(r, 'impressions')) ?? 0),
        clicks: Math.round(parseNumber(cell(r, 'clicks')) ?? 0),
        conversions: parseNumber(cell(r, 'conversions')),
      };
      if (!/^[A-Z]{3}$/.test(row.currency)) throw new ValueError('missing_currency', 'the report names no currency: pass ?currency=XXX');
      // Several rows of one campaign and day (ad set or ad level exports) add up.
      const key = `${row.accountId}\u0000${row.campaignId}\u0000${day}`;
      const seen = rows.get(key);
      if (seen) {
        seen.costMicros += row.costMicros;
        seen.impressions += row.impressions;
        seen.clicks += row.clicks;
        seen.conversions = seen.conversions === null && row.conversions === null ? null : (seen.conversions ?? 0) + (row.conversions ?? 0);
      } else rows.set(key, row);
    } catch (err) {
      if (!(err instanceof ValueError)) throw err;
      errors.push({ row: rowNumber, message: err.message });
    }
  });
  return { rows: [...rows.values()], skipped, errors };
}

function findColumns(header: string[], platform: AdPlatform) {
  const format = PLATFORM_FORMATS[platform];
  const keys = header.map(headerKey);
  const index: Partial<Record<SpendField, number>> = {};
  let currencyFromHeader: string | undefined;
  for (const [field, names] of Object.entries(format.columns) as [SpendField, string[]][]) {
    for (const name of names) {
      const at = keys.indexOf(headerKey(name));
      if (at >= 0) {
        index[field] = at;
        break;
      }
    }
  }
  if (index.cost === undefined && format.costWithCurrency) {
    const at = keys.findIndex((k) => format.costWithCurrency!.test(k));
    if (at >= 0) {
      index.cost = at;
      currencyFromHeader = format.costWithCurrency.exec(keys[at])![1].toUpperCase();
    }
  }
  const missing = (['day', 'campaignName', 'cost'] as const).filter((f) => index[f] === undefined).map((f) => format.columns[f]![0]);
  return { index, currencyFromHeader, missing };
}

function toDay(text: string): string {
  let ms: number;
  try {
    ms = parseDate(text);
  } catch (err) {
    // English exports may write "May 1, 2024".
    ms = Date.parse(`${text} UTC`);
    if (Number.isNaN(ms) || !/[a-z]/i.test(text)) throw err;
  }
  return new Date(ms).toISOString().slice(0, 10);
}
