import { describe, expect, it } from 'vitest';
import { BlindIndex, isBlindIndex, normaliseForIndex } from './blind-index.js';

describe('the blind index', () => {
  const key = Buffer.alloc(32, 7);
  const index = new BlindIndex('bik_1', key);

  it('is stable: the same text under the same key always gives the same short, tagged value', () => {
    const a = index.of('email:jane@example.com');
    expect(a).toBe(new BlindIndex('bik_1', Buffer.from(key)).of('email:jane@example.com'));
    expect(a).toMatch(/^bi1\.[A-Za-z0-9_-]{22}$/);
    expect(isBlindIndex(a)).toBe(true);
    expect(isBlindIndex('jane@example.com')).toBe(false);
  });

  it('is keyed: another key gives another value, and the value reveals nothing of the text', () => {
    const a = index.of('email:jane@example.com');
    expect(new BlindIndex('bik_1', Buffer.alloc(32, 8)).of('email:jane@example.com')).not.toBe(a);
    expect(index.of('email:jane@example.co')).not.toBe(a);
    expect(a).not.toContain('jane');
    expect(() => new BlindIndex('short', Buffer.alloc(16))).toThrow(/32 bytes/);
  });

  it('normalises like identity resolution: emails trimmed and lower-cased, phones in E.164, names case-folded', () => {
    expect(normaliseForIndex('email', '  Jane.Doe@Example.COM ', 'US')).toBe('jane.doe@example.com');
    expect(normaliseForIndex('phone', '+886 912-345-678', 'US')).toBe('+886912345678');
    expect(normaliseForIndex('phone', '(415) 555-0100', 'US')).toBe('+14155550100');
    expect(normaliseForIndex('phone', '0912 345 678', 'TW')).toBe('+886912345678');
    expect(normaliseForIndex('phone', 'not a phone', 'US')).toBe('not a phone');
    expect(normaliseForIndex('name', ' Jane DOE ', 'US')).toBe('jane doe');
    expect(normaliseForIndex('pii', 1990, 'US')).toBe('1990');
    const of = (kind: string, v: string) => index.of(`${kind}:${normaliseForIndex(kind, v, 'US')}`);
    expect(of('email', 'JANE@example.com')).toBe(of('email', 'jane@EXAMPLE.com '));
    expect(of('phone', '+1 415 555 0100')).toBe(of('phone', '(415) 555-0100'));
  });
});
