// Token bucket: `perSecond` tokens a second on average, bursts up to one second's worth. Pure with
// respect to time: the caller passes `now`. Used for per-source ingest limits and per-destination
// delivery limits.
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly perSecond: number,
    now: number,
  ) {
    this.tokens = perSecond;
    this.last = now;
  }

  /**
   * Takes `count` tokens and returns 0, or returns the ms until the take could succeed. With
   * `allowDebt`, any positive balance lets the take through and may leave the bucket in debt, so a
   * batch larger than one second's worth still passes (and the next caller waits for the debt).
   */
  take(now: number, count = 1, allowDebt = false): number {
    this.tokens = Math.min(this.perSecond, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (allowDebt ? this.tokens > 0 : this.tokens >= count) {
      this.tokens -= count;
      return 0;
    }
    const missing = allowDebt ? -this.tokens : count - this.tokens;
    return Math.max(1, Math.ceil((missing / this.perSecond) * 1000));
  }
}
