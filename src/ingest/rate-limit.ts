// Per-source ingest limit (events per second, one second of burst). A request is let through while
// the bucket is positive and may take it into debt, so batches larger than the rate still pass.
import type { Clock } from '../shared/clock.js';
import { TokenBucket } from '../shared/token-bucket.js';

export class RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();
  constructor(private readonly clock: Clock) {}

  /** Seconds to wait before retrying, or 0 when the events may pass now. */
  take(key: string, ratePerSecond: number, count: number): number {
    const now = this.clock.now();
    let bucket = this.buckets.get(key);
    // A changed limit (PATCH /v1/sources/:id) starts a fresh bucket at the new rate.
    if (!bucket || bucket.perSecond !== ratePerSecond) this.buckets.set(key, (bucket = new TokenBucket(ratePerSecond, now)));
    const waitMs = bucket.take(now, count, true);
    return waitMs === 0 ? 0 : Math.ceil(waitMs / 1000);
  }
}
