// Validates one tracking call and turns it into a log entry: ids as strings, a messageId,
// receivedAt, and an event time corrected for the client's clock skew.
import { randomUUID } from 'node:crypto';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { AppError } from '../shared/errors.js';
import { hasUnstorable, unstorableError } from '../shared/storable-text.js';
import type { NewLogEvent } from '../log/index.js';
import { MESSAGE_TYPES, MessageSchemas, type MessageType } from './schema.js';
import { addUserAgentContext } from './user-agent.js';

const ajv = new Ajv({ allErrors: false, strict: false });
const validators = Object.fromEntries(MESSAGE_TYPES.map((t) => [t, ajv.compile(MessageSchemas[t])])) as Record<
  MessageType,
  ValidateFunction
>;

export interface NormaliseContext {
  sourceId: string;
  receivedAt: number;
  /** Events claiming a time further than this past receivedAt are clamped to receivedAt. */
  futureToleranceMs: number;
  maxEventBytes: number;
  /** Batch-level fields, applied to every item (see batchEnvelope). */
  envelope?: Envelope;
  ip?: string;
  /** The User-Agent header of a browser call, for events whose SDK sent no context.userAgent. */
  userAgent?: string;
}

export interface Envelope {
  context?: Record<string, unknown>;
  integrations?: Record<string, unknown>;
  sentAt?: string;
  /** `sentAt` parsed once for the whole batch. */
  sentAtMs?: number;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

// The ISO text of receivedAt is the same for every event of a request (and an import batch): the
// last one computed is kept.
let lastReceivedAt = NaN;
let lastReceivedAtIso = '';
const isoOfReceivedAt = (ms: number) => {
  if (ms !== lastReceivedAt) {
    lastReceivedAtIso = new Date(ms).toISOString();
    lastReceivedAt = ms;
  }
  return lastReceivedAtIso;
};

/**
 * `prefix` names the message in error messages and fields, e.g. `batch[3].`.
 * The size limit applies to the event as stored (the message plus the fields added here), so the
 * message is serialised once, not once to measure it and again to store it.
 */
export function normalise(type: MessageType, input: Record<string, unknown>, ctx: NormaliseContext, prefix = ''): NewLogEvent {
  // SDKs send `null` for absent fields (analytics.js: userId null before identify).
  const msg: Record<string, unknown> = {};
  for (const k in input) {
    const v = input[k];
    if (v !== null && k !== 'writeKey' && Object.hasOwn(input, k)) msg[k] = v;
  }

  if (msg.type !== undefined && msg.type !== type)
    throw new AppError('type_mismatch', 400, `${prefix}type is "${String(msg.type)}" but was sent to the ${type} endpoint`, {
      field: `${prefix}type`,
    });
  if (!validators[type](msg)) throw schemaError(validators[type].errors![0], prefix);

  const userId = idString(msg.userId);
  const anonymousId = idString(msg.anonymousId);
  if (type === 'alias') {
    if (!userId || !idString(msg.previousId)) {
      const field = prefix + (userId ? 'previousId' : 'userId');
      throw new AppError('missing_identity', 400, `${field}: alias needs both userId and previousId`, { field });
    }
  } else if (!userId && !anonymousId) {
    throw new AppError('missing_identity', 400, `${prefix}userId or anonymousId is required`, { field: `${prefix}userId` });
  }
  // The schema lets "" and "  " through; a group call without a usable group id would be stored with none.
  if (type === 'group' && !idString(msg.groupId))
    throw new AppError('invalid_field', 400, `${prefix}groupId must not be empty`, { field: `${prefix}groupId` });

  const receivedAt = ctx.receivedAt;
  const original = parseTime(msg.originalTimestamp ?? msg.timestamp, prefix + (msg.originalTimestamp !== undefined ? 'originalTimestamp' : 'timestamp'));
  const sentAt = msg.sentAt !== undefined ? parseTime(msg.sentAt, prefix + 'sentAt') : ctx.envelope?.sentAtMs;
  let ts = original === undefined ? receivedAt : sentAt === undefined ? original : receivedAt - (sentAt - original);
  if (ts > receivedAt + ctx.futureToleranceMs) ts = receivedAt;

  const envelope = ctx.envelope;
  const context = envelope?.context ? { ...envelope.context, ...(msg.context as Record<string, unknown> | undefined) } : { ...(msg.context as Record<string, unknown> | undefined) };
  if (ctx.ip && context.ip === undefined) context.ip = ctx.ip;
  if (context.userAgent === undefined && ctx.userAgent) context.userAgent = ctx.userAgent;
  if (typeof context.userAgent === 'string' && context.userAgent !== '') addUserAgentContext(context, context.userAgent);
  const received = isoOfReceivedAt(receivedAt);
  // `msg` is this function's own copy: completing it in place spares a second copy of every event.
  const payload = msg;
  payload.type = type;
  payload.messageId ??= randomUUID();
  if (userId) payload.userId = userId;
  if (anonymousId) payload.anonymousId = anonymousId;
  if (type === 'group') payload.groupId = idString(msg.groupId);
  if (type === 'alias') payload.previousId = idString(msg.previousId);
  payload.context = context;
  payload.integrations = envelope?.integrations
    ? { ...envelope.integrations, ...(msg.integrations as Record<string, unknown> | undefined) }
    : { ...(msg.integrations as Record<string, unknown> | undefined) };
  payload.timestamp = ts === receivedAt ? received : new Date(ts).toISOString();
  if (original !== undefined) payload.originalTimestamp = new Date(original).toISOString();
  if (sentAt !== undefined) payload.sentAt = sentAt === envelope?.sentAtMs ? envelope.sentAt : new Date(sentAt).toISOString();
  payload.receivedAt = received;
  const json = JSON.stringify(payload);
  if (hasUnstorable(json)) throw unstorableError(prefix.replace(/\.$/, '') || 'the event');
  // Characters ≤ bytes ≤ 3 × characters (UTF-8): count bytes only when it can matter.
  const size = json.length * 3 <= ctx.maxEventBytes ? json.length : Buffer.byteLength(json);
  if (size > ctx.maxEventBytes)
    throw new AppError('event_too_large', 413, `${prefix.replace(/\.$/, '') || 'event'}: ${size} bytes; one event may be at most ${ctx.maxEventBytes}`);
  return {
    sourceId: ctx.sourceId,
    messageId: payload.messageId as string,
    type,
    event: type === 'track' ? (msg.event as string) : ((msg.name as string | undefined) ?? null),
    userId,
    anonymousId,
    ts,
    receivedAt,
    payload: json,
  };
}

/** The batch-level fields, checked once: a bad envelope is the request's fault, not every item's. */
export function batchEnvelope(body: Record<string, unknown>): Envelope {
  const dict = (field: 'context' | 'integrations') => {
    const v = body[field];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'object' || Array.isArray(v)) throw new AppError('invalid_field', 400, `${field} must be object`, { field });
    return v as Record<string, unknown>;
  };
  const sentAt = body.sentAt ?? undefined;
  if (sentAt !== undefined && typeof sentAt !== 'string') throw new AppError('invalid_field', 400, 'sentAt must be string', { field: 'sentAt' });
  const sentAtMs = parseTime(sentAt, 'sentAt');
  return { context: dict('context'), integrations: dict('integrations'), sentAt: sentAtMs === undefined ? undefined : new Date(sentAtMs).toISOString(), sentAtMs };
}

function idString(v: unknown): string | null {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string' && v.trim() !== '') return v;
  return null;
}

function parseTime(value: unknown, field: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = typeof value === 'string' && ISO_DATE.test(value) && isCalendarDate(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms))
    throw new AppError('invalid_timestamp', 400, `${field}: ${JSON.stringify(value)} is not an ISO-8601 date-time`, { field });
  return ms;
}

/** Date.parse rolls "2026-02-30" over to March 2nd instead of rejecting it. */
function isCalendarDate(iso: string): boolean {
  const d = (iso.charCodeAt(8) - 48) * 10 + (iso.charCodeAt(9) - 48);
  if (d <= 28) return d >= 1;
  const y = Number(iso.slice(0, 4));
  const m = Number(iso.slice(5, 7));
  return new Date(Date.UTC(y, m - 1, d)).getUTCDate() === d;
}

function schemaError(e: ErrorObject, prefix: string): AppError {
  const path = e.instancePath.slice(1).replace(/\//g, '.');
  if (e.keyword === 'required') {
    const field = prefix + (path ? `${path}.` : '') + (e.params as { missingProperty: string }).missingProperty;
    return new AppError('missing_field', 400, `${field} is required`, { field });
  }
  const field = prefix + (path || 'event');
  const expected =
    e.keyword === 'type' ? `must be ${(e.params as { type: string }).type}`
    : e.keyword === 'anyOf' ? 'must be a string or a number'
    : (e.message ?? 'is invalid');
  return new AppError('invalid_field', 400, `${field} ${expected}`, { field });
}
