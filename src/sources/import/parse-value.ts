// Turns the text of one cell into a typed value (dates, numbers, currency amounts, booleans). Pure:
// imports, ad reports and tests share these rules, and a failure says what was expected.

export class ValueError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Date layouts an import mapping may name; `auto` tries ISO-8601, then epoch, then YYYYMMDD. */
export const DATE_FORMATS = ['auto', 'iso', 'YYYYMMDD', 'YYYY-MM-DD', 'YYYY/MM/DD', 'DD/MM/YYYY', 'MM/DD/YYYY', 'epoch_s', 'epoch_ms'] as const;
export type DateFormat = (typeof DATE_FORMATS)[number];

const ISO = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;
const YMD_COMPACT = /^(\d{4})(\d{2})(\d{2})$/;
const YMD_SEP = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;
const DMY_SEP = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;
const EPOCH = /^-?\d{9,13}(?:\.\d+)?$/;

/** Epoch milliseconds (UTC unless the text carries an offset). */
export function parseDate(text: string, format: DateFormat = 'auto'): number {
  const s = text.trim();
  const bad = () => new ValueError('invalid_date', `"${text}" is not a date${format === 'auto' ? '' : ` in ${format} format`}`);
  if (s === '') throw new ValueError('missing_value', 'the date is empty');
  switch (format) {
    case 'iso':
      return iso(s) ?? throwIt(bad());
    case 'YYYYMMDD': {
      const m = YMD_COMPACT.exec(s);
      return (m && utc(+m[1], +m[2], +m[3])) ?? throwIt(bad());
    }
    case 'YYYY-MM-DD':
    case 'YYYY/MM/DD': {
      const m = YMD_SEP.exec(s);
      return (m && utc(+m[1], +m[2], +m[3], m[4], m[5], m[6])) ?? throwIt(bad());
    }
    case 'DD/MM/YYYY':
    case 'MM/DD/YYYY': {
      const m = DMY_SEP.exec(s);
      if (!m) throw bad();
      const [day, month] = format === 'DD/MM/YYYY' ? [+m[1], +m[2]] : [+m[2], +m[1]];
      return utc(+m[3], month, day, m[4], m[5], m[6]) ?? throwIt(bad());
    }
    case 'epoch_s':
    case 'epoch_ms': {
      const n = Number(s);
      if (!/^-?\d+(?:\.\d+)?$/.test(s) || !Number.isFinite(n)) throw bad();
      return Math.round(format === 'epoch_s' ? n * 1000 : n);
    }
    case 'auto': {
      const asIso = iso(s);
      if (asIso !== undefined) return asIso;
      const compact = YMD_COMPACT.exec(s);
      if (compact) return utc(+compact[1], +compact[2], +compact[3]) ?? throwIt(bad());
      // 10 digits or fewer are seconds (until 2286), more are milliseconds.
      if (EPOCH.test(s)) return Math.round(s.replace(/^-/, '').split('.')[0].length <= 10 ? Number(s) * 1000 : Number(s));
      const sep = YMD_SEP.exec(s);
      if (sep) return utc(+sep[1], +sep[2], +sep[3], sep[4], sep[5], sep[6]) ?? throwIt(bad());
      throw bad();
    }
  }
}

const WITH_OFFSET = /(Z|[+-]\d{2}:?\d{2}|[+-]\d{2})$/i;

function iso(s: string): number | undefined {
  if (!ISO.test(s)) return undefined;
  // Every row of a dated import passes here: fixed positions instead of split/map.
  if (!isCalendar(Number(s.slice(0, 4)), Number(s.slice(5, 7)), Number(s.slice(8, 10)))) return undefined;
  // A date-time without an offset is read as UTC, not as the importing machine's local time.
  const text = s.length > 10 && !WITH_OFFSET.test(s) ? s.replace(' ', 'T') + 'Z' : s.replace(' ', 'T');
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

function utc(y: number, m: number, d: number, hh?: string, mm?: string, ss?: string): number | undefined {
  if (!isCalendar(y, m, d)) return undefined;
  const h = Number(hh ?? 0), mi = Number(mm ?? 0), se = Number(ss ?? 0);
  if (h > 23 || mi > 59 || se > 59) return undefined;
  return Date.UTC(y, m - 1, d, h, mi, se);
}

const isCalendar = (y: number, m: number, d: number) => m >= 1 && m <= 12 && d >= 1 && (d <= 28 || new Date(Date.UTC(y, m - 1, d)).getUTCDate() === d);

const throwIt = (e: Error): never => {
  throw e;
};

/**
 * A number as people write it in exports: "1,234.50", "1 234", "12%", "(35.00)" for negatives,
 * "-", "--" or empty for none (returns null).
 */
export function parseNumber(text: string): number | null {
  let s = text.trim();
  if (s === '' || s === '-' || s === '--' || s === 'N/A') return null;
  let negative = false;
  if (/^\(.*\)$/.test(s)) {
    negative = true;
    s = s.slice(1, -1);
  }
  s = s.replace(/[\s,\u00a0]/g, '').replace(/%$/, '');
  if (!/^[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?$/i.test(s)) throw new ValueError('invalid_number', `"${text}" is not a number`);
  const n = Number(s);
  return negative ? -n : n;
}

/** Currency symbols and prefixes seen in exports, and the ISO code each implies. */
const CURRENCY_PREFIXES: [RegExp, string][] = [
  [/^NT\$/i, 'TWD'],
  [/^HK\$/i, 'HKD'],
  [/^US\$/i, 'USD'],
  [/^A\$/i, 'AUD'],
  [/^C\$/i, 'CAD'],
  [/^S\$/i, 'SGD'],
  [/^RMB/i, 'CNY'],
  [/^CN¥/i, 'CNY'],
  [/^JP¥/i, 'JPY'],
  [/^\$/, 'USD'],
  [/^€/, 'EUR'],
  [/^£/, 'GBP'],
  [/^¥|^￥/, 'CNY'],
  [/^₩/, 'KRW'],
  [/^₹/, 'INR'],
  [/^R\$/, 'BRL'],
];

/** An amount with an optional currency: "$1,234.50", "NT$ 100", "100 EUR", "¥1,000" (¥ read as CNY). */
export function parseCurrency(text: string): { amount: number; currency: string | null } | null {
  let s = text.trim();
  if (s === '') return null;
  let currency: string | null = null;
  let negative = false;
  if (s.startsWith('-')) {
    negative = true;
    s = s.slice(1).trim();
  }
  for (const [re, code] of CURRENCY_PREFIXES) {
    if (re.test(s)) {
      currency = code;
      s = s.replace(re, '').trim();
      break;
    }
  }
  const code = /^(.*?)\s*([A-Z]{3})$/.exec(s) ?? /^([A-Z]{3})\s*(.*)$/.exec(s);
  if (code && currency === null) {
    const [num, iso] = /^[A-Z]{3}$/.test(code[2]) ? [code[1], code[2]] : [code[2], code[1]];
    currency = iso;
    s = num.trim();
  }
  const amount = /^[-+(]?[\d.]/.test(s) ? parseNumber(s) : null;
  if (amount === null) throw new ValueError('invalid_amount', `"${text}" is not an amount`);
  return { amount: negative ? -amount : amount, currency };
}

export function parseBoolean(text: string): boolean | null {
  const s = text.trim().toLowerCase();
  if (s === '') return null;
  if (['true', 't', 'yes', 'y', '1'].includes(s)) return true;
  if (['false', 'f', 'no', 'n', '0'].includes(s)) return false;
  throw new ValueError('invalid_boolean', `"${text}" is not true/false or yes/no`);
}
