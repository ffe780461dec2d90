// The identity stage's prefetch thread (see input-feed.ts): reads a batch of the event log with its
// own read-only connection to log.db, parses the payloads and extracts identifiers, and posts the
// prepared events to the stage while it resolves and writes the previous batch.
import { parentPort, workerData } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import { prepareEvent } from './prepare.js';
import type { IdentityRules } from './schema.js';
import { keyIdOf, open, type DataKey } from '../shared/encryption/envelope.js';
import { sealedText } from '../shared/encryption/sealed-json.js';
import { BlindIndex } from '../shared/encryption/blind-index.js';
import { identifierKey } from './identifiers.js';
import { keyOfFor, parseRulesJson, type KeyOf } from './keying.js';

interface Row {
  seq: number;
  source_id: string;
  message_id: string;
  type: string;
  event: string | null;
  ts: number;
  payload: string;
  payload_key: string | null;
}

/** The data keys of field encryption when it is on (sealed payloads: the log's payload_key is set). */
const keys = new Map((workerData.dataKeys as DataKey[]).map((k) => [k.id, { id: k.id, key: Buffer.from(k.key) }]));

function payloadOf(r: Row): Record<string, unknown> {
  if (r.payload_key === null) return JSON.parse(r.payload) as Record<string, unknown>;
  const sealed = sealedText(r.payload);
  const key = keys.get(keyIdOf(sealed) ?? '');
  if (!key) throw new Error(`data key ${r.payload_key} is not known to this thread`);
  return JSON.parse(open(key, sealed)) as Record<string, unknown>;
}

const conn = new SQLite(workerData.logFile as string, { readonly: true, fileMustExist: true });
conn.pragma(`cache_size = -${workerData.cacheKib as number}`);
const select = conn.prepare<[number, number], Row>(
  'SELECT seq, source_id, message_id, type, event, ts, payload, payload_key FROM events WHERE seq > ? ORDER BY seq LIMIT ?',
);
let rulesText = '';
let rules: IdentityRules;
let keyOf: KeyOf = identifierKey;
const blind = workerData.blindIndex as { id: string; key: string } | undefined;
const index = blind && new BlindIndex(blind.id, Buffer.from(blind.key, 'hex'));

parentPort!.on('message', (msg: { close?: true; id: number; after: number; limit: number; rules: string }) => {
  if (msg.close) {
    conn.close();
    parentPort!.close();
    return;
  }
  try {
    if (msg.rules !== rulesText) {
      const parsed = parseRulesJson(msg.rules);
      [rules, rulesText, keyOf] = [parsed.rules, msg.rules, keyOfFor(parsed.piiTypes, index)];
    }
    const events = select.all(msg.after, msg.limit).map((r) => {
      const e = prepareEvent(
        { seq: r.seq, sourceId: r.source_id, messageId: r.message_id, type: r.type, event: r.event, ts: r.ts, payload: payloadOf(r) },
        rules,
        null, // the stage sets it from the sources it reads in its transaction
        keyOf,
      );
      // Posted as JSON only: a string is cheaper to pass than an object, and the stage parses it only
      // for the events whose properties its fold reads (see input-feed.ts).
      return { ...e, properties: null };
    });
    parentPort!.postMessage({ id: msg.id, events });
  } catch (err) {
    parentPort!.postMessage({ id: msg.id, error: (err as Error).message });
  }
});
