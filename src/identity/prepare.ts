// Turns a log event into what resolution needs: its identifiers under the workspace's rules and the
// fields the profile fold reads. Pure, and free of the store, so the prefetch thread runs it too.
import type { StoredEvent } from '../log/event-log.js';
import { extractIdentifiers } from './identifiers.js';
import type { IdentityRules } from './schema.js';
import type { KeyOf } from './keying.js';
import type { PreparedEvent } from './session.js';

/** What preparing reads of a log event. */
export type LogEventFields = Pick<StoredEvent, 'seq' | 'sourceId' | 'messageId' | 'type' | 'event' | 'ts' | 'payload'>;

/**
 * A prepared event and the rules it was prepared under (as JSON: the stage compares them to its own).
 * From the prefetch thread `properties` is null: only `propertiesJson` is passed (see the engine).
 */
export interface IdentityInput {
  event: Omit<PreparedEvent, 'properties'> & { properties: PreparedEvent['properties'] | null };
  rules: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export function prepareEvent(e: LogEventFields, rules: IdentityRules, sourceType: string | null, keyOf?: KeyOf): PreparedEvent {
  const { ids, invalid } = extractIdentifiers(e.payload, rules, keyOf);
  const body = e.type === 'identify' || e.type === 'group' ? e.payload.traits : e.payload.properties;
  const properties = isObject(body) ? body : {};
  return {
    seq: e.seq,
    messageId: e.messageId,
    ts: e.ts,
    type: e.type,
    event: e.event,
    sourceId: e.sourceId,
    sourceType,
    properties,
    propertiesJson: JSON.stringify(properties),
    ids,
    invalid,
  };
}
