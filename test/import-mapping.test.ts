// Value parsing and mapping of import rows: the rules that decide what each cell becomes.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseBoolean, parseCurrency, parseDate, parseNumber } from '../src/sources/import/parse-value.js';
import { compileMapping, type ImportMapping } from '../src/sources/import/mapping.js';

describe('parseDate', () => {
  it('reads YYYYMMDD, ISO dates and date-times, and epoch seconds or milliseconds as UTC', () => {
    expect(parseDate('19970101', 'YYYYMMDD')).toBe(Date.UTC(1997, 0, 1));
    expect(parseDate('19970101')).toBe(Date.UTC(1997, 0, 1));
    expect(parseDate('2024-02-29')).toBe(Date.UTC(2024, 1, 29));
    expect(parseDate('2024-05-01T10:20:30Z')).toBe(Date.UTC(2024, 4, 1, 10, 20, 30));
    expect(parseDate('2024-05-01 10:20:30')).toBe(Date.UTC(2024, 4, 1, 10, 20, 30));
    expect(parseDate('2024-05-01T10:20:30+08:00')).toBe(Date.UTC(2024, 4, 1, 2, 20, 30));
    expect(parseDate('1700000000')).toBe(1_700_000_000_000);
    expect(parseDate('1700000000123')).toBe(1_700_000_000_123);
    expect(parseDate('1700000000', 'epoch_s')).toBe(1_700_000_000_000);
    expect(parseDate('2024/5/1')).toBe(Date.UTC(2024, 4, 1));
    expect(parseDate('01/05/2024', 'DD/MM/YYYY')).toBe(Date.UTC(2024, 4, 1));
    expect(parseDate('01/05/2024', 'MM/DD/YYYY')).toBe(Date.UTC(2024, 0, 5));
  });

  it('rejects dates that do not exist instead of rolling them over', () => {
    expect(() => parseDate('20230229', 'YYYYMMDD')).toThrow(/not a date/);
    expect(() => parseDate('2023-02-30')).toThrow(/not a date/);
    expect(() => parseDate('yesterday')).toThrow(/not a date/);
    expect(() => parseDate('2024-05-01', 'YYYYMMDD')).toThrow(/YYYYMMDD/);
  });

  it('round-trips every calendar day through YYYYMMDD', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date(Date.UTC(1900, 0, 1)), max: new Date(Date.UTC(2199, 11, 31)), noInvalidDate: true }), (d) => {
        const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
        const text = new Date(day).toISOString().slice(0, 10).replace(/-/g, '');
        expect(parseDate(text, 'YYYYMMDD')).toBe(day);
      }),
    );
  });
});

describe('parseNumber and parseCurrency', () => {
  it('reads thousands separators, percentages, accounting negatives and blanks', () => {
    expect(parseNumber('1,234.50')).toBe(1234.5);
    expect(parseNumber(' 12 ')).toBe(12);
    expect(parseNumber('2.96%')).toBe(2.96);
    expect(parseNumber('(35.00)')).toBe(-35);
    expect(parseNumber('')).toBeNull();
    expect(parseNumber('--')).toBeNull();
    expect(() => parseNumber('12abc')).toThrow(/not a number/);
  });

  it('reads amounts with currency symbols and codes', () => {
    expect(parseCurrency('$1,234.50')).toEqual({ amount: 1234.5, currency: 'USD' });
    expect(parseCurrency('NT$ 100')).toEqual({ amount: 100, currency: 'TWD' });
    expect(parseCurrency('HK$2,000')).toEqual({ amount: 2000, currency: 'HKD' });
    expect(parseCurrency('€9.99')).toEqual({ amount: 9.99, currency: 'EUR' });
    expect(parseCurrency('¥1,000')).toEqual({ amount: 1000, currency: 'CNY' });
    expect(parseCurrency('100 EUR')).toEqual({ amount: 100, currency: 'EUR' });
    expect(parseCurrency('GBP 5')).toEqual({ amount: 5, currency: 'GBP' });
    expect(parseCurrency('-$3.10')).toEqual({ amount: -3.1, currency: 'USD' });
    expect(parseCurrency('29.33')).toEqual({ amount: 29.33, currency: null });
    expect(() => parseCurrency('$abc')).toThrow(/not a number|not an amount/);
  });

  it('reads any amount written with separators back to its value', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000_00 }), (cents) => {
        const text = '$' + (cents / 100).toLocaleString('en-US', { minimumFractionDigits: 2 });
        expect(parseCurrency(text)).toEqual({ amount: cents / 100, currency: 'USD' });
      }),
    );
  });

  it('reads yes/no booleans', () => {
    expect(parseBoolean('Yes')).toBe(true);
    expect(parseBoolean('0')).toBe(false);
    expect(() => parseBoolean('maybe')).toThrow(/true\/false/);
  });
});

describe('compileMapping', () => {
  const orders: ImportMapping = {
    event: 'Order Completed',
    fields: {
      customer: 'userId',
      email: 'email',
      phone: { to: 'phone', country: 'TW' },
      date: { to: 'timestamp', format: 'YYYYMMDD' },
      total: { to: 'properties.revenue', type: 'currency' },
      items: { to: 'properties.quantity', type: 'integer' },
      vip: { to: 'traits.vip', type: 'boolean' },
    },
    constants: { 'properties.source': 'legacy-shop' },
  };

  it('builds a track message with typed properties, identity traits in context and the currency of the amount', () => {
    const toMessage = compileMapping(orders, 'events');
    const result = toMessage({ customer: 'c-1', email: 'a@example.com', phone: '0912 345 678', date: '20240105', total: 'NT$ 1,200', items: '3', vip: 'yes' });
    expect(result).toEqual({
      ok: true,
      message: {
        type: 'track',
        event: 'Order Completed',
        userId: 'c-1',
        timestamp: '2024-01-05T00:00:00.000Z',
        properties: { source: 'legacy-shop', revenue: 1200, currency: 'TWD', quantity: 3 },
        context: { traits: { email: 'a@example.com', phone: '+886912345678', vip: true } },
      },
    });
  });

  it('builds identify messages with traits for a profile import', () => {
    const toMessage = compileMapping({ fields: { id: 'userId', mail: 'email', plan: 'traits.plan' } }, 'profiles');
    expect(toMessage({ id: 'u1', mail: 'u1@example.com', plan: 'gold' })).toEqual({
      ok: true,
      message: { type: 'identify', userId: 'u1', traits: { email: 'u1@example.com', plan: 'gold' } },
    });
  });

  it('reports every problem of a row with its column and code', () => {
    const toMessage = compileMapping(orders, 'events');
    const result = toMessage({ customer: 'c-1', phone: '123', date: '2024-01-05', total: 'lots', items: '2.5', vip: 'maybe' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => [p.column, p.code])).toEqual([
      ['phone', 'invalid_phone'],
      ['date', 'invalid_date'],
      ['total', 'invalid_amount'],
      ['items', 'invalid_integer'],
      ['vip', 'invalid_boolean'],
    ]);
  });

  it('treats an empty timestamp as an error and other empty cells as absent', () => {
    const toMessage = compileMapping(orders, 'events');
    const result = toMessage({ customer: 'c-1', date: '', total: '', items: '' });
    expect(result).toEqual({ ok: false, problems: [{ column: 'date', code: 'missing_value', message: 'date is empty' }] });
  });

  it('rejects mappings without an identity or, for events, an event name', () => {
    expect(() => compileMapping({ fields: { a: 'properties.a' }, event: 'X' }, 'events')).toThrow(/userId or anonymousId/);
    expect(() => compileMapping({ fields: { a: 'userId' } }, 'events')).toThrow(/event/);
  });

  it('reads nested keys of JSON Lines records and keeps their types', () => {
    const toMessage = compileMapping({ event: 'Viewed', fields: { 'user.id': 'userId', 'at': 'timestamp', 'cart.total': { to: 'properties.total', type: 'number' } } }, 'events');
    expect(toMessage({ user: { id: 42 }, at: 1700000000, cart: { total: 12.5 } })).toEqual({
      ok: true,
      message: { type: 'track', event: 'Viewed', userId: '42', timestamp: '2023-11-14T22:13:20.000Z', properties: { total: 12.5 } },
    });
  });
});
