// The pure parts of database sync: the batch query, database time text, and row mapping.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mapRow, timeText } from '../src/sources/db-sync/map-row.js';
import { batchSql } from '../src/sources/db-sync/reader.js';

const settings = {
  table: 'crm.customers',
  cursor: { column: 'updated_at', idColumn: 'id' },
  mapping: { kind: 'identify' as const, userIdColumn: 'ref' },
};
const pgQuote = (i: string) => `"${i}"`;

describe('database sync batch query', () => {
  it('reads from the start, then strictly after (cursor, id) in that order', () => {
    expect(batchSql(settings, pgQuote, (n) => `$${n}`, null, 500)).toEqual({
      text: 'SELECT * FROM (SELECT * FROM "crm"."customers") AS meridian_src WHERE "updated_at" IS NOT NULL ORDER BY "updated_at", "id" LIMIT 500',
      params: [],
    });
    const next = batchSql(settings, pgQuote, (n) => `$${n}`, { value: '2026-01-05 10:00:00.000001+00', id: 3 }, 500);
    expect(next.text).toContain('WHERE "updated_at" IS NOT NULL AND ("updated_at" > $1 OR ("updated_at" = $2 AND "id" > $3))');
    expect(next.params).toEqual(['2026-01-05 10:00:00.000001+00', '2026-01-05 10:00:00.000001+00', 3]);
  });

  it('wraps a query as a subquery and uses a single-column cursor without idColumn', () => {
    const q = batchSql({ ...settings, table: undefined, query: 'SELECT * FROM orders;', cursor: { column: 'id' } }, (i) => `\`${i}\``, () => '?', { value: 41 }, 10);
    expect(q).toEqual({ text: 'SELECT * FROM (SELECT * FROM orders) AS meridian_src WHERE `id` IS NOT NULL AND `id` > ? ORDER BY `id` LIMIT 10', params: [41] });
  });
});

describe('database time text', () => {
  it('reads PostgreSQL and MySQL renderings, zone-less ones as UTC', () => {
    expect(timeText('2026-01-05 10:00:00.123456+00')).toBe('2026-01-05T10:00:00.123Z');
    expect(timeText('2026-01-05 12:00:00+02:00')).toBe('2026-01-05T10:00:00.000Z');
    expect(timeText('2026-01-05 10:00:00')).toBe('2026-01-05T10:00:00.000Z');
    expect(timeText('2026-01-05')).toBe('2026-01-05T00:00:00.000Z');
    expect(timeText('not a date')).toBeUndefined();
    expect(timeText(42)).toBeUndefined();
  });

  it('round-trips any instant printed the MySQL way', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2999-12-31T23:59:59Z'), noInvalidDate: true }), (d) => {
        const iso = d.toISOString();
        expect(timeText(`${iso.slice(0, 10)} ${iso.slice(11, 23)}`)).toBe(iso);
      }),
    );
  });
});

describe('row mapping', () => {
  it('gives the same row version the same messageId and a changed row a new one', () => {
    const row = { id: 7, ref: 'c-7', email: 'a@b.c', updated_at: '2026-01-05 10:00:00+00' };
    const a = mapRow(settings, row);
    expect(a).toMatchObject({ type: 'identify', userId: 'c-7', traits: { id: 7, email: 'a@b.c', updated_at: '2026-01-05 10:00:00+00' }, timestamp: '2026-01-05T10:00:00.000Z' });
    expect(mapRow(settings, { ...row, email: 'other' }).messageId).toBe(a.messageId);
    expect(mapRow(settings, { ...row, updated_at: '2026-01-06 10:00:00+00' }).messageId).not.toBe(a.messageId);
    expect(mapRow(settings, { ...row, id: 8 }).messageId).not.toBe(a.messageId);
  });

  it('maps track rows with an event column and refuses rows without identity or event', () => {
    const track = { ...settings, mapping: { kind: 'track' as const, anonymousIdColumn: 'device', eventColumn: 'kind', columns: { amount: 'total' } } };
    expect(mapRow(track, { id: 1, device: 'd-1', kind: 'Refill', amount: '12.50', updated_at: '2026-01-05 10:00:00' })).toMatchObject({
      type: 'track',
      event: 'Refill',
      anonymousId: 'd-1',
      properties: { total: '12.50' },
    });
    expect(() => mapRow(track, { id: 2, device: null, kind: 'Refill', updated_at: '2026-01-05 10:00:00' })).toThrow(/device is empty/);
    expect(() => mapRow(track, { id: 3, device: 'd-1', kind: '', updated_at: '2026-01-05 10:00:00' })).toThrow(/column kind is empty/);
  });
});
