// Token bucket per destination: at most `perSecond` requests a second on average, bursts up to one
// second's worth. Pure with respect to time: the caller passes `now`.
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly perSecond: number,
    now: number,
  ) {
    this.tokens = perSecond;
    this.last = now;
  }

  /** Takes a token if one is available; otherwise returns the ms until one will be. */
  take(now: number): { ok: true } | { ok: false; waitMs: number } {
    this.tokens = Math.min(this.perSecond, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, waitMs: Math.ceil(((1 - this.tokens) / this.perSecond) * 1000) };
  }
}
