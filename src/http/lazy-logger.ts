// Fastify gives every request a child logger bound to its id (`req.log`). Building a pino child costs
// a few µs per request (its bindings serialised, its prototype chain set up), and at the default
// levels almost no request ever logs a line: on the one-event-per-request path that was a measurable
// share of the API thread's time. The child is built here only when a line is actually written (a
// level that is enabled), with the same bindings and options, so what reaches the log is unchanged.
import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions, LevelWithSilentOrString, LogFn, Logger } from 'pino';

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
type Level = (typeof LEVELS)[number];

class LazyChildLogger {
  private real: Logger | undefined;
  declare fatal: LogFn;
  declare error: LogFn;
  declare warn: LogFn;
  declare info: LogFn;
  declare debug: LogFn;
  declare trace: LogFn;

  constructor(
    private readonly parent: Logger,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {}

  /** The pino child, built on first use. */
  get logger(): Logger {
    return (this.real ??= this.parent.child(this.bindings, this.options));
  }

  get level(): LevelWithSilentOrString {
    return this.real?.level ?? this.options.level ?? this.parent.level;
  }

  set level(level: LevelWithSilentOrString) {
    this.logger.level = level;
  }

  isLevelEnabled(level: LevelWithSilentOrString): boolean {
    if (this.real) return this.real.isLevelEnabled(level);
    // A child inherits its parent's level unless its options set one (a route's `logLevel`): compare
    // with that level's number, as pino would, without building the child.
    const own = this.options.level;
    if (own === undefined) return this.parent.isLevelEnabled(level);
    const values = this.parent.levels.values;
    const wanted = values[level];
    return wanted !== undefined && own !== 'silent' && wanted >= (values[own] ?? Infinity);
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.logger.child(bindings, options) as unknown as FastifyBaseLogger;
  }

  silent(): void {}
}

for (const level of LEVELS) {
  Object.defineProperty(LazyChildLogger.prototype, level, {
    value: function (this: LazyChildLogger, ...args: Parameters<LogFn>) {
      if (!this.isLevelEnabled(level)) return;
      (this.logger[level as Level] as (...a: unknown[]) => void)(...args);
    },
  });
}

/** Fastify's `childLoggerFactory`: a per-request logger that builds its pino child only when it writes. */
export const lazyChildLoggerFactory = (logger: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger =>
  // Fastify's logger is pino's (app.ts configures it), which has isLevelEnabled.
  new LazyChildLogger(logger as unknown as Logger, bindings, options) as unknown as FastifyBaseLogger;
