// Pauses a destination that keeps failing so that it is not hammered, then lets one probe through to
// see whether it recovered. Also holds the destination-wide pause a 429 Retry-After asks for.
// In memory per process: after a restart the first attempts act as the probe.

export interface BreakerOptions {
  /** Consecutive retryable failures that open the circuit. */
  failureThreshold: number;
  /** First open period, ms; doubles on each failed probe up to maxOpenMs. */
  openMs: number;
  maxOpenMs: number;
}

export const DEFAULT_BREAKER: BreakerOptions = { failureThreshold: 5, openMs: 5_000, maxOpenMs: 5 * 60_000 };

export type BreakerState = 'closed' | 'open' | 'half_open';

export class CircuitBreaker {
  private failures = 0;
  private openUntil = 0;
  private openFor: number;
  private probing = false;
  private opened = false;

  constructor(private readonly o: BreakerOptions = DEFAULT_BREAKER) {
    this.openFor = o.openMs;
  }

  state(now: number): BreakerState {
    if (!this.opened) return now < this.openUntil ? 'open' : 'closed';
    return now < this.openUntil ? 'open' : 'half_open';
  }

  /** Whether a request may start now; in half-open only one probe at a time. */
  allow(now: number): boolean {
    const state = this.state(now);
    if (state === 'closed') return true;
    if (state === 'open' || this.probing) return false;
    this.probing = true;
    return true;
  }

  /** When the breaker next lets a request through (for the scheduler's sleep). */
  retryAt(): number {
    return this.openUntil;
  }

  success() {
    this.failures = 0;
    this.opened = false;
    this.probing = false;
    this.openFor = this.o.openMs;
  }

  /** A retryable failure; `pauseMs` (from Retry-After) pauses the whole destination at least that long. */
  failure(now: number, pauseMs = 0) {
    this.failures++;
    const wasProbe = this.probing;
    this.probing = false;
    if (wasProbe) {
      this.openFor = Math.min(this.o.maxOpenMs, this.openFor * 2);
      this.openUntil = now + Math.max(this.openFor, pauseMs);
    } else if (this.failures >= this.o.failureThreshold) {
      this.opened = true;
      this.openUntil = Math.max(this.openUntil, now + Math.max(this.openFor, pauseMs));
    } else if (pauseMs > 0) {
      this.openUntil = Math.max(this.openUntil, now + pauseMs);
    }
  }
}
