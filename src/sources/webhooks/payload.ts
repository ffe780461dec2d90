// Reading vendor payloads defensively: each accessor names the offending field in a 400
// invalid_payload error, and the message builder gives every vendor the same Segment shape.
import { AppError } from '../../shared/errors.js';

export type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export class PayloadReader {
  constructor(private readonly vendor: string) {}

  fail(field: string, problem: string): never {
    throw new AppError('invalid_payload', 400, `${this.vendor} payload: ${field} ${problem}`, { field, vendor: this.vendor });
  }

  obj(v: unknown, field: string): Obj {
    if (!isObj(v)) this.fail(field, 'must be an object');
    return v;
  }

  /** A required id: string or number, as a non-empty string. */
  id(v: unknown, field: string): string {
    const s = this.optId(v);
    if (s === undefined) this.fail(field, 'is required (string or number)');
    return s;
  }

  optId(v: unknown): string | undefined {
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
    if (typeof v === 'string' && v.trim() !== '') return v.trim();
    return undefined;
  }

  optStr(v: unknown): string | undefined {
    return typeof v === 'string' && v.trim() !== '' ? v : undefined;
  }

  /** Money and quantities arrive as numbers or decimal strings ("19.99"). */
  num(v: unknown, field: string): number {
    const n = this.optNum(v, field);
    if (n === undefined) this.fail(field, 'is required (a number)');
    return n;
  }

  optNum(v: unknown, field: string): number | undefined {
    if (v === undefined || v === null || v === '') return undefined;
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : NaN;
    if (!Number.isFinite(n)) this.fail(field, `must be a number, got ${JSON.stringify(v)}`);
    return n;
  }

  arr(v: unknown, field: string): unknown[] {
    if (!Array.isArray(v)) this.fail(field, 'must be an array');
    return v;
  }

  /** An ISO-8601 time, returned normalised to UTC ISO; undefined when absent. */
  optTime(v: unknown, field: string): string | undefined {
    if (v === undefined || v === null || v === '') return undefined;
    const ms = typeof v === 'string' ? Date.parse(v) : NaN;
    if (Number.isNaN(ms)) this.fail(field, `must be an ISO-8601 date-time, got ${JSON.stringify(v)}`);
    return new Date(ms).toISOString();
  }
}

/** Drops undefined values so that messages carry only what the vendor sent. */
export function compact<T extends Obj>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null)) as T;
}

/**
 * A Segment track message from a vendor delivery. Identities: `userId` when the vendor carries the
 * company's own user id; `anonymousId` is a stable vendor key (order, member, requester) so later
 * deliveries about the same thing join the same person; email, phone and vendor ids go into
 * context.traits, where identity resolution looks for them.
 */
export function trackMessage(m: {
  vendor: string;
  event: string;
  messageId: string;
  anonymousId: string;
  userId?: string;
  timestamp?: string;
  properties: Obj;
  traits: Obj;
}): Obj {
  return compact({
    type: 'track',
    event: m.event,
    messageId: m.messageId,
    userId: m.userId,
    anonymousId: m.anonymousId,
    timestamp: m.timestamp,
    properties: compact(m.properties),
    context: { traits: compact(m.traits), integration: { name: m.vendor } },
  });
}

/** Net Promoter Score buckets: 0–6 detractor, 7–8 passive, 9–10 promoter. */
export function npsCategory(score: number): 'promoter' | 'passive' | 'detractor' {
  return score >= 9 ? 'promoter' : score >= 7 ? 'passive' : 'detractor';
}
