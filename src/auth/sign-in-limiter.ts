// Sign-in attempts per client address: at most MAX_FAILURES failed attempts in WINDOW_MS, after
// which the address waits for the oldest failure to leave the window. Works with the per-account
// lockout (user-store.ts): the lockout stops guessing one account's password, this stops one
// address from spraying passwords over many accounts. In memory, per process (a restart forgets).
import type { Clock } from '../shared/clock.js';

export const MAX_FAILURES = 20;
export const WINDOW_MS = 15 * 60_000;

export class SignInLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly clock: Clock) {}

  /** Milliseconds until this address may try again (0: now). */
  waitFor(address: string): number {
    const recent = this.recent(address);
    return recent.length < MAX_FAILURES ? 0 : recent[0] + WINDOW_MS - this.clock.now();
  }

  fail(address: string) {
    const recent = this.recent(address);
    recent.push(this.clock.now());
    this.failures.set(address, recent);
    if (this.failures.size > 100_000) this.prune();
  }

  private recent(address: string): number[] {
    const since = this.clock.now() - WINDOW_MS;
    return (this.failures.get(address) ?? []).filter((t) => t > since);
  }

  private prune() {
    for (const address of this.failures.keys()) if (this.recent(address).length === 0) this.failures.delete(address);
  }
}
