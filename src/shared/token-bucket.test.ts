import { describe, expect, it } from 'vitest';
import { TokenBucket } from './token-bucket.js';

describe('TokenBucket', () => {
  it('lets one second of burst through, then says how long until the next token', () => {
    const bucket = new TokenBucket(4, 0);
    for (let i = 0; i < 4; i++) expect(bucket.take(0)).toBe(0);
    expect(bucket.take(0)).toBe(250);
    expect(bucket.take(250)).toBe(0);
  });

  it('never stores more than one second of tokens, however long it was idle', () => {
    const bucket = new TokenBucket(2, 0);
    expect(bucket.take(60_000, 2)).toBe(0);
    expect(bucket.take(60_000)).toBe(500);
  });

  it('with debt allowed, lets a take larger than the rate through and makes the next caller wait it off', () => {
    const bucket = new TokenBucket(2, 0);
    expect(bucket.take(0, 5)).toBe(1500); // without debt: 3 tokens missing at 2/s
    expect(bucket.take(0, 5, true)).toBe(0); // balance 2 → -3
    expect(bucket.take(0, 1, true)).toBe(1500);
    expect(bucket.take(1500, 1, true)).toBe(1); // balance exactly 0: not positive yet
    expect(bucket.take(1501, 1, true)).toBe(0);
  });
});
