// Events that were accepted by a client call but could not enter the log (an invalid item in a
// batch, later a tracking-plan violation) are kept here with the reason, so nothing vanishes.
import type { ExpressionBuilder } from 'kysely';
import type { Database, Db, Dialect } from '../storage/index.js';
import { AppError } from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import { decodeCursor, encodeCursor, type Page } from '../shared/paging.js';
import { storableJson, storableText } from '../shared/storable-text.js';
import type { FieldCipher } from '../shared/encryption/field-cipher.js';
import type { SealedColumn } from '../shared/encryption/reencrypt.js';

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
  constructor(
    private readonly db: Db,
    private readonly dialect: Dialect,
    /** With a KEK configured, payloads (refused input, personal data included) are sealed at rest. */
    private readonly cipher?: FieldCipher,
  ) {}

  /** The stored form of a payload: JSON text, or a sealed JSON string and its data key. */
  private stored(payload: unknown): { payload: string; payload_key: string | null } {
    const json = storableJson(JSON.stringify(payload ?? null));
    if (!this.cipher) return { payload: json, payload_key: null };
    const { sealed, keyId } = this.cipher.seal(json);
    return { payload: JSON.stringify(sealed), payload_key: keyId };
  }

  private async payloadOf(r: { payload: string; payload_key: string | null }): Promise<unknown> {
    if (r.payload_key === null) return this.dialect.parseJson(r.payload);
    if (!this.cipher) throw new AppError('encryption_not_configured', 409, 'failed-event payloads are encrypted: set MERIDIAN_KEK to read them');
    return JSON.parse(await this.cipher.open(sealedText(r.payload)));
  }

  /** The payload column, for key rotation (privacy's Reencryptor). */
  sealedColumn(): SealedColumn {
    const unsealed = (activeKeyId: string) => (eb: ExpressionBuilder<Database, 'failed_events'>) =>
      eb.or([eb('payload_key', 'is', null), eb('payload_key', '!=', activeKeyId)]);
    return {
      name: 'failed_events.payload',
      pending: async (activeKeyId, limit) => {
        const rows = await this.db.selectFrom('failed_events').select(['id', 'payload', 'payload_key']).where(unsealed(activeKeyId)).limit(limit).execute();
        return rows.map((r) => {
          const value = r.payload_key === null ? JSON.stringify(this.dialect.parseJson(r.payload)) : sealedText(r.payload);
          return { id: r.id, keyId: r.payload_key, value };
        });
      },
      replace: async (id, fromKeyId, to) => {
        await this.db
          .updateTable('failed_events')
          .set({ payload: JSON.stringify(to.sealed), payload_key: to.keyId })
          .where('id', '=', id)
          .where('payload_key', fromKeyId === null ? 'is' : '=', fromKeyId)
          .execute();
      },
      remaining: async (activeKeyId) => {
        const row = await this.db.selectFrom('failed_events').select((eb) => eb.fn.countAll<number>().as('n')).where(unsealed(activeKeyId)).executeTakeFirstOrThrow();
        return Number(row.n);
      },
    };
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
    const payloads = await Promise.all(rows.slice(0, q.limit).map((r) => this.payloadOf(r)));
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

/** A sealed payload is stored as a JSON string: text `"enc1…"` on SQLite, already decoded from JSONB on PostgreSQL. */
const sealedText = (stored: string) => (stored.startsWith('"') ? (JSON.parse(stored) as string) : stored);
