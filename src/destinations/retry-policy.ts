// How a failed attempt is handled: which responses are worth retrying, how long to wait (capped
// exponential backoff with full jitter, never less than the server's Retry-After) and when the retry
// budget is spent. Pure: the caller passes the time and the random source.

export interface RetryPolicy {
  /** First backoff, ms. */
  baseMs: number;
  /** Largest backoff, ms. */
  capMs: number;
  /** Attempts after which the delivery is dead. */
  maxAttempts: number;
  /** Age (from the causing change) after which the delivery is dead, ms. */
  maxAgeMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { baseMs: 1_000, capMs: 10 * 60_000, maxAttempts: 25, maxAgeMs: 24 * 3600_000 };

/** What an attempt's outcome means. `null` status = no response (network error, timeout). */
export function classify(status: number | null): 'delivered' | 'retry' | 'terminal' {
  if (status === null) return 'retry';
  if (status >= 200 && status < 300) return 'delivered';
  // 408 and 429 say "not now", every other 4xx says "never like this": retrying cannot help.
  if (status === 408 || status === 429) return 'retry';
  if (status >= 400 && status < 500) return 'terminal';
  return 'retry';
}

/** Backoff before attempt `attempt + 1`, after `attempt` failures (attempt ≥ 1). */
export function backoffMs(policy: RetryPolicy, attempt: number, random: () => number, retryAfterMs?: number): number {
  const exp = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(attempt - 1, 30));
  const jittered = Math.floor(exp / 2 + random() * (exp / 2)); // "equal jitter": spreads herds, keeps a floor
  return Math.max(jittered, retryAfterMs ?? 0);
}

export type NextStep = { kind: 'retry'; at: number } | { kind: 'dead'; reason: string };

/** After a retryable failure: when to try again, or dead when the attempts or age budget is spent. */
export function nextStep(
  policy: RetryPolicy,
  d: { attempts: number; createdAt: number },
  now: number,
  random: () => number,
  retryAfterMs?: number,
): NextStep {
  if (d.attempts >= policy.maxAttempts) return { kind: 'dead', reason: `gave up after ${d.attempts} attempts` };
  const at = now + backoffMs(policy, d.attempts, random, retryAfterMs);
  if (at - d.createdAt > policy.maxAgeMs) return { kind: 'dead', reason: `older than the retry budget of ${policy.maxAgeMs} ms` };
  return { kind: 'retry', at };
}

