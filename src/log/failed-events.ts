// Events that were accepted by a client call but could not enter the log (an invalid item in a
// batch, later a tracking-plan violation) are kept here with the reason, so nothing vanishes.
import type { Db, Dialect } from '../storage/index.js';
import { newId } from '../shared/ids.js';
import { decodeCursor, encodeCursor, type Page } from '../shared/paging.js';
import { storableJson, storableText } from '../shared/storable-text.js';
import type { FieldCipher } from '../shared/encryption/field-cipher.js';
import type { SealedColumn } from '../shared/encryption/reencrypt.js';
import { SealedJson } from '../shared/encryption/sealed-json.js';

export interface FailedEvent {
  id: string;
  sourceId: string;
  messageId: string | null;
  stage: string;
  code: string;
  reason: string;
  payload: unknown;
  failedAt: number;
}

export class FailedEvents {
  /** With a KEK configured, payloads (refused input, personal data included) are sealed at rest. */
  private readonly payloads: SealedJson;

  constructor(
    private readonly db: Db,
    dialect: Dialect,
    cipher?: FieldCipher,
  ) {
    this.payloads = new SealedJson({ table: 'failed_events', id: 'id', value: 'payload', key: 'payload_key' }, dialect, cipher);
  }

  /** The stored form of a payload: JSON text, or a sealed JSON string and its data key. */
  private stored(payload: unknown): { payload: string; payload_key: string | null } {
    const { value, key } = this.payloads.store(storableJson(JSON.stringify(payload ?? null)));
    return { payload: value, payload_key: key };
  }

  /** The payload column, for key rotation (privacy's Reencryptor). */
  sealedColumn(): SealedColumn {
    return this.payloads.column(this.db);
  }

  async record(items: Omit<FailedEvent, 'id'>[]): Promise<void> {
    if (items.length === 0) return;
    await this.db
      .insertInto('failed_events')
      .values(
        items.map((f) => ({
          id: newId('fev'),
          source_id: f.sourceId,
          // Refused input is kept to be looked at: what PostgreSQL cannot store shows as U+FFFD.
          message_id: f.messageId === null ? null : storableText(f.messageId),
          stage: f.stage,
          code: f.code,
          reason: storableText(f.reason),
          ...this.stored(f.payload),
          failed_at: f.failedAt,
        })),
      )
      .execute();
  }

  async list(q: { sourceId?: string; limit: number; cursor?: string }): Promise<Page<FailedEvent>> {
    const after = decodeCursor(q.cursor, (v): v is [number, string] => Array.isArray(v) && v.length === 2);
    let query = this.db.selectFrom('failed_events').selectAll();
    if (q.sourceId) query = query.where('source_id', '=', q.sourceId);
    if (after)
      query = query.where((eb) =>
        eb.or([eb('failed_at', '<', after[0]), eb.and([eb('failed_at', '=', after[0]), eb('id', '<', after[1])])]),
      );
    const rows = await query.orderBy('failed_at', 'desc').orderBy('id', 'desc').limit(q.limit + 1).execute();
    const payloads = await this.payloads.openAll(rows.slice(0, q.limit).map((r) => ({ value: r.payload, key: r.payload_key })));
    const data = rows.slice(0, q.limit).map((r, i) => ({
      id: r.id,
      sourceId: r.source_id,
      messageId: r.message_id,
      stage: r.stage,
      code: r.code,
      reason: r.reason,
      payload: payloads[i],
      failedAt: r.failed_at,
    }));
    const last = data[data.length - 1];
    return { data, next: rows.length > q.limit ? encodeCursor([last.failedAt, last.id]) : null };
  }
}
