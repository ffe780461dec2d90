// Per-source token bucket (events per second, one second of burst). A request is let through while
// the bucket is positive and may take it into debt, so batches larger than the rate still pass.
import type { Clock } from '../shared/clock.js';

export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  constructor(private readonly clock: Clock) {}

  /** Seconds to wait before retrying, or 0 when the events may pass now. */
  take(key: string, ratePerSecond: number, count: number): number {
    const now = this.clock.now();
    const b = this.buckets.get(key) ?? { tokens: ratePerSecond, at: now };
    b.tokens = Math.min(ratePerSecond, b.tokens + ((now - b.at) / 1000) * ratePerSecond);
    b.at = now;
    this.buckets.set(key, b);
    if (b.tokens <= 0) return Math.max(1, Math.ceil(-b.tokens / ratePerSecond));
    b.tokens -= count;
    return 0;
  }
}
