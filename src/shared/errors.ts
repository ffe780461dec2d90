// One error type for every failure a client can see: a stable machine-readable code, an HTTP status
// and a message for humans. The HTTP layer maps it to `{ error: { code, message, details } }`.
import type { ErrorCode } from './error-codes.js';

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly status: number,
    message: string,
    readonly details?: Record<string, unknown>,
    /** Extra response headers, e.g. Retry-After on 429. */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}
