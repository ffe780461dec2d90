// Calendar buckets in an IANA time zone: the UTC instants where each local day, ISO week (Monday) or
// month of a date range starts and ends, so queries group by `ts >= lo AND ts < hi` and DST days last 23
// or 25 hours as they do on the wall clock. Pure (Intl only).
import { AppError } from '../shared/errors.js';

export type Granularity = 'day' | 'week' | 'month';

export interface Bucket {
  /** The local date the bucket starts on (its calendar start, even when the range starts later). */
  start: string;
  lo: number;
  hi: number;
}

export const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

/** The zone's formatter, or invalid_query for a name Intl does not know. */
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    } catch {
      throw new AppError('invalid_query', 400, `timeZone "${timeZone}" is not an IANA time zone (e.g. Asia/Taipei, Europe/Berlin, UTC)`, { field: 'timeZone' });
    }
    formatters.set(timeZone, f);
  }
  return f;
}

export const checkTimeZone = (timeZone: string) => void formatter(timeZone);

/** Offset of the zone from UTC at an instant, in ms (UTC+8 → 28,800,000). */
export function zoneOffset(ms: number, timeZone: string): number {
  const parts = Object.fromEntries(formatter(timeZone).formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  const asUtc = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** The instant local midnight of y-m-d begins in the zone (the first instant of that date when midnight is skipped). */
export function startOfLocalDay(y: number, m: number, d: number, timeZone: string): number {
  const wall = Date.UTC(y, m - 1, d);
  let t = wall - zoneOffset(wall, timeZone);
  const again = wall - zoneOffset(t, timeZone);
  if (again !== t) t = Math.max(t, again);
  return t;
}

/** The local calendar date of an instant, as YYYY-MM-DD. */
export function localDate(ms: number, timeZone: string): string {
  return new Date(ms + zoneOffset(ms, timeZone)).toISOString().slice(0, 10);
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** y, m, d of a YYYY-MM-DD that names a real date, else invalid_query naming the field. */
export function parseDate(value: string, field: string): [number, number, number] {
  const m = DATE.exec(value);
  const parts = m ? ([+m[1], +m[2], +m[3]] as [number, number, number]) : null;
  if (!parts || new Date(Date.UTC(parts[0], parts[1] - 1, parts[2])).toISOString().slice(0, 10) !== value)
    throw new AppError('invalid_query', 400, `${field} "${value}" is not a date (YYYY-MM-DD)`, { field });
  return parts;
}

const addDays = ([y, m, d]: [number, number, number], n: number): [number, number, number] => {
  const t = new Date(Date.UTC(y, m - 1, d + n));
  return [t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate()];
};
const iso = ([y, m, d]: [number, number, number]) => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

/** The calendar start of the bucket holding a local date. */
function bucketStart(date: [number, number, number], g: Granularity): [number, number, number] {
  if (g === 'day') return date;
  if (g === 'month') return [date[0], date[1], 1];
  const weekday = new Date(Date.UTC(date[0], date[1] - 1, date[2])).getUTCDay();
  return addDays(date, -((weekday + 6) % 7));
}

function nextBucket(start: [number, number, number], g: Granularity): [number, number, number] {
  if (g === 'day') return addDays(start, 1);
  if (g === 'week') return addDays(start, 7);
  return start[1] === 12 ? [start[0] + 1, 1, 1] : [start[0], start[1] + 1, 1];
}

/**
 * Buckets covering the local dates from..to (inclusive) in the zone. The first and last are clipped to
 * the range, so every instant counted lies between local midnight of `from` and the end of `to`.
 */
export function buckets(from: [number, number, number], to: [number, number, number], g: Granularity, timeZone: string): Bucket[] {
  const end = startOfLocalDay(...addDays(to, 1), timeZone);
  const begin = startOfLocalDay(...from, timeZone);
  const out: Bucket[] = [];
  for (let s = bucketStart(from, g); ; ) {
    const n = nextBucket(s, g);
    const lo = Math.max(begin, startOfLocalDay(...s, timeZone));
    const hi = Math.min(end, startOfLocalDay(...n, timeZone));
    if (lo >= end) break;
    out.push({ start: iso(s), lo, hi });
    s = n;
  }
  return out;
}

/** Whether every bucket boundary falls on a UTC hour, so the hourly rollup answers exactly. */
export const hourAligned = (bs: readonly Bucket[]) => bs.every((b) => b.lo % 3_600_000 === 0 && b.hi % 3_600_000 === 0);

export { addDays };
