// Applies a source's custom transformation to its events between validation and the event log:
// each normalised event goes through transform(event) in the sandbox; what comes out (one event,
// several, or none) is validated and normalised again. An event whose transformation fails is kept
// in failed events with the reason instead of entering the log.
import type { Clock } from '../../shared/clock.js';
import { AppError } from '../../shared/errors.js';
import type { FailedEvents, NewLogEvent } from '../../log/index.js';
import { MESSAGE_TYPES, normalise, type MessageType, type NormaliseContext } from '../../ingest/index.js';
import type { ConnectorStore } from '../connector-store.js';
import type { Outcome, SandboxProcess } from './sandbox-process.js';

export interface TransformationConfig {
  code: string;
}

/** One event may become at most this many. */
const MAX_OUTPUTS = 100;
// Other processes' edits take effect within this time; this process's at once (onChange).
const CODE_CACHE_MS = 5_000;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export class Transformer {
  private readonly codeCache = new Map<string, { code: string | null; until: number }>();

  constructor(
    private readonly deps: { connectors: ConnectorStore; failed: FailedEvents; clock: Clock; sandbox: SandboxProcess },
  ) {
    deps.connectors.onChange((sourceId, kind) => {
      if (kind !== 'transformation') return;
      this.codeCache.delete(sourceId);
      deps.sandbox.forget(sourceId);
    });
  }

  /** The Ingestor hook: all events come from one source (ctx.sourceId). */
  apply = async (events: NewLogEvent[], ctx: NormaliseContext): Promise<NewLogEvent[]> => {
    const code = await this.codeOf(ctx.sourceId);
    if (code === null || events.length === 0) return events;
    const inputs = events.map((e) => JSON.parse(e.payload) as Record<string, unknown>);
    let outcomes: Outcome[];
    try {
      outcomes = await this.deps.sandbox.runMany(ctx.sourceId, code, inputs);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      outcomes = inputs.map(() => ({ error: { code: err.code, status: err.status, message: err.message } }));
    }
    const out: NewLogEvent[] = [];
    const failures: Parameters<FailedEvents['record']>[0] = [];
    outcomes.forEach((outcome, i) => {
      try {
        out.push(...this.outputs(outcome, inputs[i], ctx));
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        failures.push({ sourceId: ctx.sourceId, messageId: events[i].messageId, stage: 'transform', code: err.code, reason: err.message, payload: inputs[i], failedAt: ctx.receivedAt });
      }
    });
    await this.deps.failed.record(failures);
    return out;
  };

  /**
   * Runs `code` (or the source's stored code) on a sample tracking message, without writing anything:
   * the normalised events that would enter the log.
   */
  async test(sourceId: string, code: string | undefined, sample: Record<string, unknown>): Promise<Record<string, unknown>[]> {
    const source = code ?? (await this.codeOf(sourceId));
    if (source === null) throw new AppError('transformation_not_configured', 404, `source ${sourceId} has no transformation; send one as "code"`);
    const ctx: NormaliseContext = { sourceId, receivedAt: this.deps.clock.now(), futureToleranceMs: Number.MAX_SAFE_INTEGER, maxEventBytes: Number.MAX_SAFE_INTEGER };
    const input = JSON.parse(normalise(messageType(sample.type, 'event.type'), sample, ctx).payload) as Record<string, unknown>;
    // Tested code is compiled under its own key so that it never replaces the source's live isolate.
    const [outcome] = await this.deps.sandbox.runMany(`${sourceId}:test`, source, [input]);
    this.deps.sandbox.forget(`${sourceId}:test`);
    return this.outputs(outcome, input, ctx).map((e) => JSON.parse(e.payload) as Record<string, unknown>);
  }

  /** The log entries for one event's transformation outcome; throws its error. */
  private outputs(outcome: Outcome, input: Record<string, unknown>, ctx: NormaliseContext): NewLogEvent[] {
    if (outcome.error) throw new AppError(outcome.error.code, outcome.error.status, outcome.error.message);
    const result = outcome.value;
    const outputs = result === null || result === undefined ? [] : Array.isArray(result) ? result : [result];
    if (outputs.length > MAX_OUTPUTS)
      throw new AppError('transform_invalid_output', 422, `the transformation returned ${outputs.length} events; at most ${MAX_OUTPUTS} are allowed`);
    return outputs.map((out, i) => {
      if (!isObject(out))
        throw new AppError('transform_invalid_output', 422, `the transformation must return an event object, an array of them or null; output[${i}] is ${JSON.stringify(out)?.slice(0, 80)}`);
      // A split keeps the first output's messageId and derives the others' from it, so that a retried
      // call produces the same ids again (dedupe) and the parts never collide with each other.
      const messageId = out.messageId === undefined || (i > 0 && out.messageId === input.messageId) ? `${input.messageId as string}${i > 0 ? `-${i}` : ''}` : out.messageId;
      try {
        return normalise(messageType(out.type ?? input.type, `output[${i}].type`), { ...out, messageId }, ctx);
      } catch (err) {
        if (err instanceof AppError)
          throw new AppError('transform_invalid_output', 422, `output[${i}] is not a valid event: ${err.message}`, { cause: err.code });
        throw err;
      }
    });
  }

  private async codeOf(sourceId: string): Promise<string | null> {
    const now = this.deps.clock.now();
    const cached = this.codeCache.get(sourceId);
    if (cached && cached.until > now) return cached.code;
    const found = await this.deps.connectors.get<TransformationConfig>(sourceId, 'transformation');
    const code = found?.config.code ?? null;
    this.codeCache.set(sourceId, { code, until: now + CODE_CACHE_MS });
    return code;
  }
}

function messageType(t: unknown, field: string): MessageType {
  if (typeof t === 'string' && (MESSAGE_TYPES as readonly string[]).includes(t)) return t as MessageType;
  throw new AppError('invalid_field', 400, `${field} must be one of ${MESSAGE_TYPES.join(', ')}`, { field });
}
