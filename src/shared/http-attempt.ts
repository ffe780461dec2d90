// One outbound HTTP request with a timeout, reported as an AttemptResult (never throws).
// Shared by destination connectors and alert webhooks, so neither depends on the other.

/** The outcome of one outbound call, as the delivery engine and alerting record it. */
export interface AttemptResult {
  /** HTTP status of the decisive response; null when no response came (network error, timeout). */
  status: number | null;
  retryAfterMs?: number;
  /** Response body (truncated) or error text, kept on the delivery for diagnosis. */
  response: string;
  /** Set when the platform was deliberately not called (e.g. the recipient opted out). */
  skipped?: string;
}

/** Retry-After is either delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

const MAX_RESPONSE_CHARS = 2_000;
const TIMEOUT_MS = 30_000;

export async function httpAttempt(url: string, init: RequestInit, now: number): Promise<AttemptResult> {
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
    const text = await res.text();
    return {
      status: res.status,
      retryAfterMs: parseRetryAfter(res.headers.get('retry-after'), now),
      response: text.slice(0, MAX_RESPONSE_CHARS),
    };
  } catch (err) {
    return { status: null, response: `request failed: ${(err as Error).cause ? String((err as Error).cause) : (err as Error).message}` };
  }
}

export const joinUrl = (base: string, path: string) => base.replace(/\/+$/, '') + path;

export const jsonHeaders = (extra: Record<string, string> = {}) => ({ 'content-type': 'application/json', ...extra });
