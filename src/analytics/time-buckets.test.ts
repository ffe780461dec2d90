import { describe, expect, it } from 'vitest';
import { buckets, hourAligned, localDate, parseDate, startOfLocalDay, zoneOffset } from './time-buckets.js';

describe('time-zone buckets', () => {
  it('starts local days at local midnight, including DST days of 23 and 25 hours', () => {
    // Europe/Berlin: clocks go forward on 2026-03-29 (23 h) and back on 2026-10-25 (25 h).
    const spring = buckets([2026, 3, 28], [2026, 3, 30], 'day', 'Europe/Berlin');
    expect(spring.map((b) => (b.hi - b.lo) / 3_600_000)).toEqual([24, 23, 24]);
    expect(spring[0].lo).toBe(Date.UTC(2026, 2, 27, 23));
    const autumn = buckets([2026, 10, 25], [2026, 10, 25], 'day', 'Europe/Berlin');
    expect((autumn[0].hi - autumn[0].lo) / 3_600_000).toBe(25);
  });

  it('weeks start on Monday and months on the 1st, clipped to the range', () => {
    const weeks = buckets([2026, 3, 1], [2026, 3, 10], 'week', 'UTC');
    expect(weeks.map((b) => b.start)).toEqual(['2026-02-23', '2026-03-02', '2026-03-09']);
    expect(weeks[0].lo).toBe(Date.UTC(2026, 2, 1));
    expect(weeks[2].hi).toBe(Date.UTC(2026, 2, 11));
    const months = buckets([2026, 1, 15], [2026, 3, 1], 'month', 'Asia/Taipei');
    expect(months.map((b) => b.start)).toEqual(['2026-01-01', '2026-02-01', '2026-03-01']);
    expect(months[1].lo).toBe(Date.UTC(2026, 0, 31, 16));
  });

  it('knows when the hourly rollup answers exactly', () => {
    expect(hourAligned(buckets([2026, 3, 1], [2026, 3, 3], 'day', 'America/New_York'))).toBe(true);
    expect(hourAligned(buckets([2026, 3, 1], [2026, 3, 3], 'day', 'Asia/Kolkata'))).toBe(false);
    expect(hourAligned(buckets([2026, 3, 1], [2026, 3, 3], 'day', 'Asia/Kathmandu'))).toBe(false);
  });

  it('offsets, local dates and date validation', () => {
    expect(zoneOffset(Date.UTC(2026, 0, 1), 'Asia/Kolkata')).toBe(5.5 * 3_600_000);
    expect(startOfLocalDay(2026, 3, 3, 'Asia/Kolkata')).toBe(Date.UTC(2026, 2, 2, 18, 30));
    expect(localDate(Date.UTC(2026, 2, 2, 18, 45), 'Asia/Kolkata')).toBe('2026-03-03');
    expect(() => parseDate('2026-02-29', 'from')).toThrow(/not a date/);
    expect(() => parseDate('2026-3-1', 'from')).toThrow(/not a date/);
    expect(parseDate('2028-02-29', 'to')).toEqual([2028, 2, 29]);
    expect(() => buckets([2026, 1, 1], [2026, 1, 1], 'day', 'Nowhere/Land')).toThrow(/not an IANA time zone/);
  });
});
