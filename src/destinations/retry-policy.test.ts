import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffMs, classify, nextStep, type RetryPolicy } from './retry-policy.js';
import { parseRetryAfter } from '../shared/http-attempt.js';

const policy: RetryPolicy = { baseMs: 100, capMs: 10_000, maxAttempts: 5, maxAgeMs: 60_000 };

describe('retry policy', () => {
  it('treats 4xx as terminal except 408 and 429, and 5xx / no response as retryable', () => {
    expect([200, 204, 400, 401, 404, 408, 409, 422, 429, 500, 503, null].map(classify)).toEqual([
      'delivered', 'delivered', 'terminal', 'terminal', 'terminal', 'retry', 'terminal', 'terminal', 'retry', 'retry', 'retry', 'retry',
    ]);
  });
  it('backs off exponentially within [half, full] of the capped step', () =>
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.double({ min: 0, max: 0.999999, noNaN: true }), (attempt, r) => {
        const step = Math.min(policy.capMs, policy.baseMs * 2 ** (attempt - 1));
        const d = backoffMs(policy, attempt, () => r);
        return d >= step / 2 - 1 && d <= step && d <= policy.capMs;
      }),
    ));
  it('never retries sooner than Retry-After', () =>
    fc.assert(fc.property(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 0, max: 1e6 }), (attempt, ra) => backoffMs(policy, attempt, Math.random, ra) >= ra)));
  it('dead-letters when attempts or age are spent', () => {
    expect(nextStep(policy, { attempts: 5, createdAt: 0 }, 10, () => 0.5).kind).toBe('dead');
    expect(nextStep(policy, { attempts: 1, createdAt: 0 }, 59_990, () => 0.5).kind).toBe('dead');
    expect(nextStep(policy, { attempts: 1, createdAt: 0 }, 10, () => 0.5)).toEqual({ kind: 'retry', at: 10 + 75 });
  });
  it('parses Retry-After seconds and HTTP dates', () => {
    expect(parseRetryAfter('3', 0)).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
  });
});
