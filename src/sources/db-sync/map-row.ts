// Pure mapping of one database row to an identify or track message. The messageId is derived from
// the row's key and cursor value: re-reading the same version of a row (a run interrupted before
// its cursor was saved) gives the same id and is deduplicated, a changed row gives a new one.
import { createHash } from 'node:crypto';
import { AppError } from '../../shared/errors.js';
import type { Row } from './reader.js';
import type { DbSyncSettings } from './schema.js';

const text = (v: unknown): string | undefined =>
  v === null || v === undefined ? undefined : typeof v === 'string' ? (v.trim() === '' ? undefined : v) : typeof v === 'number' || typeof v === 'bigint' ? String(v) : undefined;

/** Database time text ("2026-01-05 10:00:00.123456+00", MySQL "2026-01-05 10:00:00") to ISO; zone-less values are UTC. */
export function timeText(v: unknown): string | undefined {
  if (v instanceof Date) return v.toISOString();
  if (typeof v !== 'string') return undefined;
  const m = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}:\d{2}(?:\.\d+)?))?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/.exec(v.trim());
  if (!m) return undefined;
  const zone = m[3] === undefined ? 'Z' : m[3] === 'Z' ? 'Z' : m[3].length === 3 ? `${m[3]}:00` : m[3].replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = Date.parse(`${m[1]}T${m[2] ?? '00:00:00'}${zone}`);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** JSON-safe column values: Buffers as base64, bigint as text, Dates as ISO. */
function value(v: unknown): unknown {
  if (Buffer.isBuffer(v)) return v.toString('base64');
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Date) return v.toISOString();
  return v;
}

export function mapRow(s: DbSyncSettings, row: Row): Record<string, unknown> {
  const m = s.mapping;
  const userId = m.userIdColumn ? text(row[m.userIdColumn]) : undefined;
  const anonymousId = m.anonymousIdColumn ? text(row[m.anonymousIdColumn]) : undefined;
  const key = text(row[s.cursor.idColumn ?? s.cursor.column]);
  if (!userId && !anonymousId)
    throw new AppError('missing_identity', 400, `row ${key ?? '?'}: ${[m.userIdColumn, m.anonymousIdColumn].filter(Boolean).join(' and ')} is empty`);
  const fields: Record<string, unknown> = {};
  const skip = new Set([m.userIdColumn, m.anonymousIdColumn, m.eventColumn, m.timestampColumn]);
  for (const [col, v] of Object.entries(row)) {
    if (m.columns) {
      if (Object.hasOwn(m.columns, col)) fields[m.columns[col]] = value(v);
    } else if (!skip.has(col)) fields[col] = value(v);
  }
  const cursorValue = row[s.cursor.column];
  const messageId = `dbsync:${createHash('sha256').update(`${key}\0${String(value(cursorValue))}`).digest('base64url')}`;
  const timestamp = timeText(row[m.timestampColumn ?? s.cursor.column]);
  const common = { messageId, ...(userId ? { userId } : {}), ...(anonymousId ? { anonymousId } : {}), ...(timestamp ? { timestamp } : {}) };
  if (m.kind === 'identify') return { type: 'identify', ...common, traits: fields };
  const event = m.eventColumn ? text(row[m.eventColumn]) : m.event;
  if (!event) throw new AppError('missing_event', 400, `row ${key ?? '?'}: no event name (${m.eventColumn ? `column ${m.eventColumn} is empty` : 'set mapping.event'})`);
  return { type: 'track', event, ...common, properties: fields };
}
