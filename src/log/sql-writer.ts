// Commits a group of log appends through Kysely: the PostgreSQL path (SQLite's log has a writer thread).
// Multi-row statements keep round trips few; an advisory lock keeps log offsets in commit order.
import type { Db, Dialect } from '../storage/index.js';
import { sql } from 'kysely';
import { chunkRows } from '../storage/index.js';
import type { LogWriter, NewLogEvent } from './log-writer.js';
import type { SealedJson } from '../shared/encryption/sealed-json.js';

const key = (sourceId: string, messageId: string) => `${sourceId}\u0000${messageId}`;

export class SqlLogWriter implements LogWriter {
  constructor(
    private readonly db: Db,
    private readonly dialect: Dialect,
    /** events.payload: sealed here when field encryption is on (PostgreSQL has no writer thread). */
    private readonly payloads: SealedJson,
  ) {}

  async append(events: NewLogEvent[], cutoff: number): Promise<(number | null)[]> {
    const seqs = await this.db.transaction().execute(async (trx) => {
      await this.dialect.lockLogForAppend(trx);
      const fresh = new Set<string>();
      for (const chunk of chunkRows(events, 3, this.dialect)) {
        const rows = await trx
          .insertInto('dedupe')
          .values(chunk.map((e) => ({ source_id: e.sourceId, message_id: e.messageId, seen_at: e.receivedAt })))
          .onConflict((oc) =>
            oc
              .columns(['source_id', 'message_id'])
              .doUpdateSet({ seen_at: (eb) => eb.ref('excluded.seen_at') })
              .where('dedupe.seen_at', '<', cutoff),
          )
          .returning(['source_id', 'message_id'])
          .execute();
        for (const r of rows) fresh.add(key(r.source_id, r.message_id));
      }
      const toInsert = events.filter((e) => fresh.has(key(e.sourceId, e.messageId)));
      const seqs = new Map<string, number>();
      for (const chunk of chunkRows(toInsert, 11, this.dialect)) {
        const rows = await trx
          .insertInto('events')
          .values(
            chunk.map((e) => {
              const payload = this.payloads.store(e.payload);
              return {
                source_id: e.sourceId,
                message_id: e.messageId,
                type: e.type,
                event: e.event,
                user_id: e.userId,
                anonymous_id: e.anonymousId,
                ts: e.ts,
                received_at: e.receivedAt,
                payload: payload.value,
                payload_key: payload.key,
              };
            }),
          )
          .returning(['seq', 'source_id', 'message_id'])
          .execute();
        for (const r of rows) seqs.set(key(r.source_id, r.message_id), r.seq);
      }
      return seqs;
    });
    return events.map((e) => seqs.get(key(e.sourceId, e.messageId)) ?? null);
  }

  async purge(seqs: number[]): Promise<number> {
    let removed = 0;
    for (let i = 0; i < seqs.length; i += 1000) {
      const res = await this.db.deleteFrom('events').where('seq', 'in', seqs.slice(i, i + 1000)).executeTakeFirst();
      removed += Number(res.numDeletedRows);
    }
    return removed;
  }

  /** PostgreSQL: VACUUM drops the dead tuples' data from the table's pages (the store compacts its other tables alike). */
  async compact(): Promise<void> {
    await sql`VACUUM events`.execute(this.db);
  }

  async pruneDedupe(cutoff: number): Promise<number> {
    const res = await this.db.deleteFrom('dedupe').where('seen_at', '<', cutoff).executeTakeFirst();
    return Number(res.numDeletedRows);
  }
}
