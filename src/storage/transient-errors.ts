// Which errors say "the store (or the network to it) is briefly unavailable, try the same thing again"
// rather than "this item cannot be processed". A pipeline stage retries the first kind with backoff
// for as long as it takes and sets nothing aside; only the second kind counts against an item.
const TRANSIENT_CODES = new Set([
  // SQLite: another connection holds the write lock, or a snapshot went stale under a writer.
  'SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_BUSY_RECOVERY', 'SQLITE_BUSY_TIMEOUT', 'SQLITE_LOCKED', 'SQLITE_LOCKED_SHAREDCACHE', 'SQLITE_PROTOCOL',
  // Sockets.
  'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN',
  // PostgreSQL SQLSTATEs: serialization failure, deadlock, lock not available, connection exceptions
  // (class 08), server shutting down or the backend terminated (57P0x), too many connections / out of
  // memory or disk for the moment (53xxx).
  '40001', '40P01', '55P03', '57P01', '57P02', '57P03', '53000', '53100', '53200', '53300', '53400',
  '08000', '08001', '08003', '08004', '08006', '08007', '08P01',
]);

/** node-postgres reports a lost or unusable connection by message only. */
const TRANSIENT_MESSAGES = /Connection terminated|connection error|is not queryable|timeout exceeded when trying to connect|Client was closed/i;

/** True when retrying the same work later may succeed without anyone changing anything. */
export function isTransientError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return true;
    if (typeof message === 'string' && TRANSIENT_MESSAGES.test(message)) return true;
  }
  return false;
}
