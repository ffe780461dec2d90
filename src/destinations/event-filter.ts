// Which events an event-forwarding destination takes, and the shape it sends them in. Pure.
import { Type, type Static } from '@sinclair/typebox';

export const Condition = Type.Object({
  path: Type.String({ description: 'dot path into the normalised event, e.g. properties.total' }),
  op: Type.Union(['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'exists', 'not_exists', 'in', 'contains'].map((o) => Type.Literal(o))),
  value: Type.Optional(Type.Unknown()),
});
export type Condition = Static<typeof Condition>;

export const EventFilter = Type.Object({
  types: Type.Optional(Type.Array(Type.String(), { description: 'message types, e.g. ["track","identify"]' })),
  events: Type.Optional(Type.Array(Type.String(), { description: 'track event names' })),
  conditions: Type.Optional(Type.Array(Condition, { description: 'all must hold' })),
  segmentId: Type.Optional(Type.String({ description: 'only events of profiles currently in this segment' })),
});
export type EventFilter = Static<typeof EventFilter>;

/** Output field → dot path in the event. Absent paths are left out. */
export const FieldMapping = Type.Record(Type.String(), Type.String());
export type FieldMapping = Static<typeof FieldMapping>;

export function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function holds(c: Condition, event: Record<string, unknown>): boolean {
  const v = getPath(event, c.path);
  switch (c.op) {
    case 'exists':
      return v !== undefined && v !== null;
    case 'not_exists':
      return v === undefined || v === null;
    case 'eq':
      return v === c.value;
    case 'neq':
      return v !== c.value;
    case 'gt':
      return typeof v === 'number' && typeof c.value === 'number' && v > c.value;
    case 'gte':
      return typeof v === 'number' && typeof c.value === 'number' && v >= c.value;
    case 'lt':
      return typeof v === 'number' && typeof c.value === 'number' && v < c.value;
    case 'lte':
      return typeof v === 'number' && typeof c.value === 'number' && v <= c.value;
    case 'in':
      return Array.isArray(c.value) && c.value.includes(v);
    case 'contains':
      return (typeof v === 'string' && typeof c.value === 'string' && v.includes(c.value)) || (Array.isArray(v) && v.includes(c.value));
  }
  return false;
}

/** Whether the event passes the name, type and property conditions (segment membership is checked by the caller). */
export function matchesFilter(filter: EventFilter, event: Record<string, unknown>): boolean {
  if (filter.types && !filter.types.includes(String(event.type))) return false;
  if (filter.events && !(typeof event.event === 'string' && filter.events.includes(event.event))) return false;
  return (filter.conditions ?? []).every((c) => holds(c, event));
}

export function applyMapping(mapping: FieldMapping | null, event: Record<string, unknown>): Record<string, unknown> {
  if (!mapping) return event;
  const out: Record<string, unknown> = {};
  for (const [field, path] of Object.entries(mapping)) {
    const v = getPath(event, path);
    if (v !== undefined) out[field] = v;
  }
  return out;
}
