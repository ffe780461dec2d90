// Wall-clock arithmetic in a profile's time zone (pure, Intl only): the next occurrence of a local
// time of day, quiet hours, a local calendar date. DST: a local time that does not exist (spring
// forward) resolves to the instant one offset later; an ambiguous one (fall back) to its first occurrence.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(tz, f);
  }
  return f;
}

export function isValidTimeZone(tz: string): boolean {
  try {
    formatter(tz);
    return true;
  } catch {
    return false;
  }
}

export interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

export function localParts(ms: number, tz: string): LocalParts {
  const p: Record<string, number> = {};
  for (const part of formatter(tz).formatToParts(new Date(ms))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return { year: p.year, month: p.month, day: p.day, hour: p.hour, minute: p.minute, second: p.second };
}

/** The zone's offset from UTC at the instant (ms, positive east). */
function offsetAt(ms: number, tz: string): number {
  const p = localParts(ms, tz);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(ms / 1000) * 1000;
}

const DAY = 86_400_000;

/**
 * The instant of a local wall-clock time on a local date. A time that occurs once is that instant. A
 * time the clocks skip (spring forward) resolves to the instant one offset later: 02:30 in Berlin on
 * the last Sunday of March is 03:30 CEST, the moment the day "should" have reached 02:30. A time that
 * occurs twice (fall back) is its first occurrence, so a local time happens once per local date.
 */
export function instantOf(year: number, month: number, day: number, minuteOfDay: number, tz: string): number {
  const wall = Date.UTC(year, month - 1, day, 0, minuteOfDay);
  // An instant t shows `wall` when t = wall − offset(t); the offsets around it are those a day either
  // side (zones change offset at most once within a day of any time).
  const before = offsetAt(wall - DAY, tz);
  const after = offsetAt(wall + DAY, tz);
  const shown = [before, after].map((o) => wall - o).filter((t) => offsetAt(t, tz) === wall - t);
  if (shown.length > 0) return Math.min(...shown);
  return wall - before;
}

export const minuteOfDay = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * The first instant strictly after `now` at which `hhmm` happens in `tz` (see instantOf: once per
 * local date, a skipped time at the instant one offset later). Days are counted on the local
 * calendar, so across a DST change the next day is 23 or 25 hours away, not 24.
 */
export function nextLocalTime(now: number, hhmm: string, tz: string): number {
  const p = localParts(now, tz);
  for (let d = 0; d < 3; d++) {
    const day = new Date(Date.UTC(p.year, p.month - 1, p.day + d));
    const t = instantOf(day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate(), minuteOfDay(hhmm), tz);
    if (t > now) return t;
  }
  throw new Error(`no ${hhmm} in ${tz} within two days of ${now}`);
}

/** Whether the local time at `t` is within [start, end) (start > end spans midnight; start = end: never). */
export function inQuietHours(t: number, quiet: { start: string; end: string }, tz: string): boolean {
  const p = localParts(t, tz);
  const m = p.hour * 60 + p.minute;
  const s = minuteOfDay(quiet.start);
  const e = minuteOfDay(quiet.end);
  if (s === e) return false;
  return s < e ? m >= s && m < e : m >= s || m < e;
}

/** When a send wanted at `t` may go: `t` itself, or the end of the quiet hours it falls in. */
export function afterQuietHours(t: number, quiet: { start: string; end: string } | undefined, tz: string): number {
  if (!quiet || !inQuietHours(t, quiet, tz)) return t;
  return nextLocalTime(t, quiet.end, tz);
}

/** "MM-DD" of the local date at `t`. */
export function localMonthDay(t: number, tz: string): string {
  const p = localParts(t, tz);
  return `${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/** "MM-DD" of a date trait ("YYYY-MM-DD…", "MM-DD" or epoch ms), or undefined. */
export function monthDayOf(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return new Date(value).toISOString().slice(5, 10);
  if (typeof value !== 'string') return undefined;
  const m = /^(?:\d{4}-)?(\d{2})-(\d{2})/.exec(value);
  return m ? `${m[1]}-${m[2]}` : undefined;
}
