// The tracking call path: authenticate the write key, rate-limit, validate and normalise every
// message, append to the log, and only then acknowledge.
import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import type { EventLog, FailedEvents, NewLogEvent } from '../log/index.js';
import { anyOrigin, type OriginCheck, type SourceAuth, type SourceStore } from '../sources/index.js';
import type { Metrics } from '../http/metrics.js';
import { MESSAGE_TYPES, type IngestResponse, type ItemRejection, type MessageType } from './schema.js';
import { batchEnvelope, normalise, type NormaliseContext } from './normalise.js';
import { RateLimiter } from './rate-limit.js';

export interface IngestLimits {
  maxEventBytes: number;
  futureToleranceMs: number;
}

export interface IngestRequest {
  kind: MessageType | 'batch';
  body: unknown;
  /** Write key from HTTP Basic auth, when sent that way. */
  basicKey?: string;
  ip?: string;
  /** The Origin header: set on a browser call, checked against the source's allowed origins. */
  origin?: string;
  /** The User-Agent header, used when the SDK sent no context.userAgent. */
  userAgent?: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const KEY_CACHE_MS = 5_000;

export class Ingestor {
  private readonly limiter: RateLimiter;
  // Write-key lookups are cached briefly: a disabled source or revoked key takes effect within seconds
  // everywhere, and at once in the process that changed it (see forgetKeys). Keyed by the key as sent,
  // so that a hit costs no hashing; only keys that authenticated are held (as many as sources have).
  private readonly keyCache = new Map<string, { auth: SourceAuth; until: number }>();
  // The origins some source admits, for preflights (which carry no write key); cached the same way.
  private admitted?: { check: OriginCheck; until: number };

  constructor(
    private readonly deps: {
      sources: SourceStore;
      log: EventLog;
      failed: FailedEvents;
      metrics: Metrics;
      clock: Clock;
      limits: IngestLimits;
      /** The source's custom transformation (src/sources/transform), applied after validation, before the log. */
      transform?: (events: NewLogEvent[], ctx: NormaliseContext) => Promise<NewLogEvent[]>;
      /** The source's tracking plan (src/sources/tracking-plans): violating events flagged or blocked, after transformation. */
      screen?: (sourceId: string, events: NewLogEvent[]) => Promise<NewLogEvent[]>;
    },
  ) {
    this.limiter = new RateLimiter(deps.clock);
  }

  forgetKeys() {
    this.keyCache.clear();
    this.admitted = undefined;
  }

  async ingest(req: IngestRequest): Promise<IngestResponse> {
    if (!isObject(req.body)) throw new AppError('invalid_body', 400, 'the body must be a JSON object');
    return this.accept(await this.sourceFor(req.basicKey ?? req.body.writeKey, req.origin), { ...req, body: req.body });
  }

  /**
   * The source behind a write key, for a call from `origin` (undefined: not a browser call, which an
   * origin list cannot restrict: any other client can send whatever Origin it likes).
   */
  async sourceFor(key: unknown, origin?: string): Promise<SourceAuth> {
    const source = await this.authenticate(key);
    if (origin !== undefined && !source.admitsOrigin(origin))
      throw new AppError('origin_not_allowed', 403, `source ${source.sourceId} does not accept calls from ${origin}`, { origin });
    return source;
  }

  /** Whether a preflight from `origin` gets the CORS allow headers (see SourceStore.admittedOrigins). */
  async preflightAdmits(origin: string, writeKey?: string): Promise<boolean> {
    if (writeKey) {
      // An unknown key is admitted: its call then gets a 401 the page can read.
      const found = await this.authenticate(writeKey).catch(() => undefined);
      return found ? found.admitsOrigin(origin) : true;
    }
    const now = this.deps.clock.now();
    if (!this.admitted || this.admitted.until < now) this.admitted = { check: await this.deps.sources.admittedOrigins(), until: now + KEY_CACHE_MS };
    return this.admitted.check(origin);
  }

  /** Events a connector (webhook, MQTT, database sync) built for its own source: same path, no write key. */
  async ingestForSource(sourceId: string, batch: Record<string, unknown>[]): Promise<IngestResponse> {
    const source = await this.deps.sources.get(sourceId);
    if (!source.enabled) throw new AppError('source_disabled', 403, `source ${sourceId} is disabled`);
    return this.accept({ sourceId, enabled: true, rateLimit: source.rateLimit, admitsOrigin: anyOrigin }, { kind: 'batch', body: { batch } });
  }

  private async accept(source: SourceAuth, req: IngestRequest & { body: Record<string, unknown> }): Promise<IngestResponse> {
    const { clock, log, metrics } = this.deps;
    const body = req.body;

    const items = req.kind === 'batch' ? this.batchItems(body) : [body];
    if (source.rateLimit !== null) {
      const wait = this.limiter.take(source.sourceId, source.rateLimit, items.length);
      if (wait > 0)
        throw new AppError('rate_limited', 429, `source ${source.sourceId} is limited to ${source.rateLimit} events/s`, undefined, {
          'retry-after': String(wait),
        });
    }

    const receivedAt = clock.now();
    const ctx: NormaliseContext = {
      sourceId: source.sourceId,
      receivedAt,
      ip: req.ip,
      userAgent: req.origin !== undefined ? req.userAgent : undefined,
      ...this.deps.limits,
      envelope: req.kind === 'batch' ? batchEnvelope(body) : undefined,
    };

    const accepted: NewLogEvent[] = [];
    const rejected: (ItemRejection & { error: AppError })[] = [];
    items.forEach((item, index) => {
      try {
        if (!isObject(item)) throw new AppError('invalid_field', 400, `batch[${index}] must be an object`, { field: `batch[${index}]` });
        const type = req.kind === 'batch' ? itemType(item, index) : req.kind;
        accepted.push(normalise(type, item, ctx, req.kind === 'batch' ? `batch[${index}].` : ''));
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        rejected.push({ index, code: err.code, message: err.message, error: err });
      }
    });

    if (req.kind !== 'batch' && rejected.length > 0) throw rejected[0].error;
    if (accepted.length === 0) {
      for (const r of rejected) metrics.eventsRejected.inc({ code: r.code });
      throw new AppError('invalid_batch', 400, `all ${rejected.length} events in the batch are invalid; first: ${rejected[0].message}`, {
        items: rejected.map(({ error: _e, ...r }) => r),
      });
    }
    // Some valid, some not: keep the valid ones (an SDK would otherwise drop the whole batch) and keep
    // the invalid ones in failed events with their reason, so they can be inspected and fixed.
    if (rejected.length > 0) {
      await this.deps.failed.record(
        rejected.map((r) => ({
          sourceId: source.sourceId,
          messageId: typeof (items[r.index] as { messageId?: unknown })?.messageId === 'string' ? (items[r.index] as { messageId: string }).messageId : null,
          stage: 'ingest',
          code: r.code,
          reason: r.message,
          payload: items[r.index],
          failedAt: receivedAt,
        })),
      );
      for (const r of rejected) metrics.eventsRejected.inc({ code: r.code });
    }

    const transformed = this.deps.transform ? await this.deps.transform(accepted, ctx) : accepted;
    const outcomes = await log.append(this.deps.screen ? await this.deps.screen(source.sourceId, transformed) : transformed);
    const fresh = outcomes.filter((o) => o.status === 'accepted').length;
    // Refused for a forgotten person's identifiers: acknowledged like a duplicate (an SDK must not retry it), counted apart.
    const duplicates = outcomes.filter((o) => o.status === 'duplicate').length;
    metrics.eventsAccepted.inc({ source_id: source.sourceId }, fresh);
    if (duplicates > 0) metrics.eventsDuplicate.inc({ source_id: source.sourceId }, duplicates);
    const suppressed = outcomes.length - fresh - duplicates;
    if (suppressed > 0) metrics.eventsRejected.inc({ code: 'suppressed' }, suppressed);
    return { success: true, accepted: fresh, duplicates, rejected: rejected.map(({ error: _e, ...r }) => r) };
  }

  private async authenticate(key: unknown): Promise<SourceAuth> {
    if (typeof key !== 'string' || key === '')
      throw new AppError('missing_write_key', 401, 'send the write key as the HTTP Basic user name or as "writeKey" in the body');
    const now = this.deps.clock.now();
    let auth = this.keyCache.get(key);
    if (!auth || auth.until < now) {
      const found = await this.deps.sources.authenticate(key);
      if (!found) {
        this.keyCache.delete(key);
        throw new AppError('invalid_write_key', 401, 'the write key is unknown or revoked');
      }
      auth = { auth: found, until: now + KEY_CACHE_MS };
      this.keyCache.set(key, auth);
    }
    if (!auth.auth.enabled) throw new AppError('source_disabled', 403, `source ${auth.auth.sourceId} is disabled`);
    return auth.auth;
  }

  private batchItems(body: Record<string, unknown>): unknown[] {
    if (!Array.isArray(body.batch)) throw new AppError('invalid_field', 400, 'batch must be an array of events', { field: 'batch' });
    if (body.batch.length === 0) throw new AppError('empty_batch', 400, 'batch contains no events', { field: 'batch' });
    return body.batch;
  }
}

function itemType(item: Record<string, unknown>, index: number): MessageType {
  const t = item.type;
  if (typeof t === 'string' && (MESSAGE_TYPES as readonly string[]).includes(t)) return t as MessageType;
  if (t === undefined) throw new AppError('missing_field', 400, `batch[${index}].type is required`, { field: `batch[${index}].type` });
  throw new AppError('unknown_type', 400, `batch[${index}].type "${String(t)}" is not one of ${MESSAGE_TYPES.join(', ')}`, {
    field: `batch[${index}].type`,
  });
}
