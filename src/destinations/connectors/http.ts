// One outbound HTTP request with a timeout, reported as an AttemptResult (never throws).
import { parseRetryAfter } from '../retry-policy.js';
import type { AttemptResult } from './types.js';

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
