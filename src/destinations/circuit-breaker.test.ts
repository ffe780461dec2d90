import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from './circuit-breaker.js';

describe('circuit breaker', () => {
  it('opens after consecutive failures, lets one probe through, and closes when it succeeds', () => {
    const b = new CircuitBreaker({ failureThreshold: 3, openMs: 1000, maxOpenMs: 8000 });
    for (let i = 0; i < 3; i++) b.failure(0);
    expect(b.state(500)).toBe('open');
    expect(b.allow(500)).toBe(false);
    expect(b.allow(1000)).toBe(true);
    expect(b.allow(1000)).toBe(false); // only one probe at a time
    b.success();
    expect(b.state(1001)).toBe('closed');
  });
  it('doubles the pause after a failed probe, up to the maximum', () => {
    const b = new CircuitBreaker({ failureThreshold: 1, openMs: 1000, maxOpenMs: 3000 });
    b.failure(0);
    b.allow(1000);
    b.failure(1000);
    expect(b.state(2999)).toBe('open');
    expect(b.state(3000)).toBe('half_open');
    b.allow(3000);
    b.failure(3000);
    expect(b.retryAt()).toBe(6000);
  });
  it('pauses the destination for a Retry-After even below the threshold', () => {
    const b = new CircuitBreaker({ failureThreshold: 5, openMs: 1000, maxOpenMs: 8000 });
    b.failure(0, 2500);
    expect(b.allow(2000)).toBe(false);
    expect(b.allow(2500)).toBe(true);
  });
});
