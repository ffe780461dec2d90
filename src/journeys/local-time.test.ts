import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { afterQuietHours, inQuietHours, localParts, monthDayOf, nextLocalTime } from './local-time.js';

const ZONES = ['UTC', 'Asia/Taipei', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata'];
const hhmm = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
const instant = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) });

describe('wall-clock waits', () => {
  it('waits until the next 09:00 in the profile zone', () => {
    expect(nextLocalTime(Date.UTC(2026, 0, 1, 12), '09:00', 'Asia/Taipei')).toBe(Date.UTC(2026, 0, 2, 1));
    expect(nextLocalTime(Date.UTC(2026, 0, 1, 0), '09:00', 'Asia/Taipei')).toBe(Date.UTC(2026, 0, 1, 1));
  });

  it('moves a time that does not exist (spring forward) an hour later', () => {
    const t = nextLocalTime(Date.UTC(2026, 2, 28, 12), '02:30', 'Europe/Berlin');
    expect(localParts(t, 'Europe/Berlin')).toMatchObject({ day: 29, hour: 3, minute: 30 });
  });

  it('fires an ambiguous time (fall back) at its first occurrence, once per local date', () => {
    // Berlin, 2026-10-25: 02:00–02:59 happens in CEST (00:xxZ) and again in CET (01:xxZ).
    expect(nextLocalTime(Date.UTC(2026, 9, 24, 12), '02:30', 'Europe/Berlin')).toBe(Date.UTC(2026, 9, 25, 0, 30));
    // Between the two occurrences the date's 02:30 has happened: the next is the following day's.
    expect(nextLocalTime(Date.UTC(2026, 9, 25, 0, 40), '02:30', 'Europe/Berlin')).toBe(Date.UTC(2026, 9, 26, 1, 30));
    // New York, 2026-11-01: 01:30 EDT (05:30Z) first.
    expect(nextLocalTime(Date.UTC(2026, 10, 1, 0), '01:30', 'America/New_York')).toBe(Date.UTC(2026, 10, 1, 5, 30));
  });

  it('counts the next local day across a DST change (23 and 25 hour days)', () => {
    // 09:00 in New York the day before and the day of spring forward (2026-03-08): 23 h apart.
    const sat = nextLocalTime(Date.UTC(2026, 2, 7, 12), '09:00', 'America/New_York');
    expect(sat).toBe(Date.UTC(2026, 2, 7, 14));
    expect(nextLocalTime(sat, '09:00', 'America/New_York')).toBe(Date.UTC(2026, 2, 8, 13));
    // Across fall back (2026-11-01): 25 h apart.
    const before = nextLocalTime(Date.UTC(2026, 9, 31, 12), '09:00', 'America/New_York');
    expect(nextLocalTime(before, '09:00', 'America/New_York') - before).toBe(25 * 3_600_000);
    // A zone whose clocks skip midnight (Santiago, 2026-09-06 00:00 → 01:00): 00:30 is 01:30 that day.
    const t = nextLocalTime(Date.UTC(2026, 8, 5, 12), '00:30', 'America/Santiago');
    expect(localParts(t, 'America/Santiago')).toMatchObject({ day: 6, hour: 1, minute: 30 });
  });

  it('is always strictly later, within about a day, and shows the wanted time unless it falls in a DST gap', () => {
    fc.assert(
      fc.property(instant, hhmm, fc.constantFrom(...ZONES), (now, at, tz) => {
        const t = nextLocalTime(now, at, tz);
        expect(t).toBeGreaterThan(now);
        expect(t - now).toBeLessThanOrEqual(25 * 3_600_000);
        const p = localParts(t, tz);
        const shown = p.hour * 60 + p.minute;
        const wanted = Number(at.slice(0, 2)) * 60 + Number(at.slice(3));
        expect([0, 30, 60]).toContain((((shown - wanted) % 1440) + 1440) % 1440);
      }),
      { numRuns: 300 },
    );
  });

  it('lets a send go at once outside quiet hours and at their end inside them', () => {
    fc.assert(
      fc.property(instant, hhmm, hhmm, fc.constantFrom(...ZONES), (t, start, end, tz) => {
        const quiet = { start, end };
        const at = afterQuietHours(t, quiet, tz);
        if (!inQuietHours(t, quiet, tz)) expect(at).toBe(t);
        else {
          expect(at).toBeGreaterThan(t);
          expect(inQuietHours(at, quiet, tz)).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('reads birthdays as month-day', () => {
    expect(monthDayOf('1990-07-14')).toBe('07-14');
    expect(monthDayOf('07-14')).toBe('07-14');
    expect(monthDayOf(Date.UTC(1990, 6, 14))).toBe('07-14');
    expect(monthDayOf('soon')).toBeUndefined();
  });
});
