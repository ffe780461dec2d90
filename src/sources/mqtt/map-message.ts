// Pure mapping of one MQTT message to a Segment track message for the device: the device id comes
// from a topic level or a payload field and becomes the anonymousId `device:<id>` and
// context.device.id, which identity resolution links to the device's owner.
import { createHash } from 'node:crypto';
import { AppError } from '../../shared/errors.js';
import type { MqttSettings } from './schema.js';

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** MQTT topic-filter matching: `+` is one level, a trailing `#` any number (including none). */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return i === f.length - 1;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

function at(payload: unknown, path: string): unknown {
  let v = payload;
  for (const key of path.split('.')) v = isObj(v) && Object.hasOwn(v, key) ? v[key] : undefined;
  return v;
}

/** JSON object payloads are used as they are; anything else becomes `{ value }` (numbers parsed). */
export function parsePayload(bytes: Buffer): Record<string, unknown> {
  const text = bytes.toString('utf8');
  try {
    const v: unknown = JSON.parse(text);
    return isObj(v) ? v : { value: v };
  } catch {
    return { value: text };
  }
}

/** Epoch seconds, epoch ms or ISO text, to ISO. */
function timeOf(v: unknown, field: string): string {
  const ms = typeof v === 'number' ? (v < 1e11 ? v * 1000 : v) : typeof v === 'string' ? Date.parse(v) : NaN;
  if (!Number.isFinite(ms)) throw new AppError('invalid_payload', 400, `mqtt payload: ${field} is not a time (ISO-8601 or epoch seconds/ms): ${JSON.stringify(v)}`, { field });
  return new Date(ms).toISOString();
}

export function mapMqttMessage(settings: MqttSettings, topic: string, bytes: Buffer): Record<string, unknown> {
  const payload = parsePayload(bytes);
  const m = settings.mapping;
  const rawId = m.deviceId.field !== undefined ? at(payload, m.deviceId.field) : topic.split('/')[m.deviceId.topicLevel ?? -1];
  const deviceId = typeof rawId === 'number' ? String(rawId) : typeof rawId === 'string' && rawId.trim() !== '' ? rawId.trim() : undefined;
  if (!deviceId)
    throw new AppError('missing_device_id', 400, `mqtt message on ${topic}: no device id at ${m.deviceId.field !== undefined ? `payload field ${m.deviceId.field}` : `topic level ${m.deviceId.topicLevel}`}`);
  const fromPayload = m.eventField !== undefined ? at(payload, m.eventField) : undefined;
  const eventName = typeof fromPayload === 'string' && fromPayload !== '' ? fromPayload : m.event;
  const props = m.propertiesField !== undefined ? at(payload, m.propertiesField) : payload;
  const timestamp = m.timestampField !== undefined && at(payload, m.timestampField) !== undefined ? timeOf(at(payload, m.timestampField), m.timestampField) : undefined;
  return {
    type: 'track',
    event: eventName ?? 'Device Message',
    anonymousId: `device:${deviceId}`,
    // A reading with its own time is the same reading when redelivered (QoS 1 is at-least-once):
    // derive its id from the bytes. Without a time, identical payloads may be distinct readings.
    ...(timestamp ? { timestamp, messageId: `mqtt:${createHash('sha256').update(topic).update('\0').update(bytes).digest('base64url')}` } : {}),
    properties: { ...(isObj(props) ? props : { value: props }), device_id: deviceId, topic },
    context: { device: { id: deviceId }, traits: { device_id: deviceId } },
  };
}
