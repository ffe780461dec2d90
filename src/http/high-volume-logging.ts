// Tracking and decision calls arrive once per page view, click or app event: at `info` Fastify would
// write two lines ("incoming request", "request completed") for each, which on the one-event-per-request
// path costs CPU and fills the log with lines nobody reads. These routes log per request only when the
// operator asks for `debug` or `trace`; at `info` they log warnings and errors (a 5xx, a refused body
// the error handler reports at warn) like every other route. Failed input is kept in failed events.
import type { FastifyInstance } from 'fastify';
import type { LevelWithSilent } from 'pino';

/** The route-level `logLevel` for a high-volume collection route of this app. */
export function highVolumeLogLevel(app: FastifyInstance): LevelWithSilent {
  const level = app.log.level as LevelWithSilent;
  return level === 'info' ? 'warn' : level;
}
