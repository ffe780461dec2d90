// Commits log appends on the embedded store with prepared statements: one claim and one insert per
// event, bound directly. Building and preparing a fresh multi-row statement through the query builder
// for every group cost more than the inserts themselves. The statements run inside a Kysely
// transaction, which holds the store's single connection, so they never interleave with a pipeline
// stage's open transaction.
import type SQLite from 'better-sqlite3';
import type { Db } from '../storage/index.js';
import type { LogWriter, NewLogEvent } from './event-log.js';

export class SqliteLogWriter implements LogWriter {
  private readonly claim: SQLite.Statement<[string, string, number, number]>;
  private readonly insert: SQLite.Statement<[string, string, string, string | null, string | null, string | null, number, number, string]>;

  constructor(
    private readonly db: Db,
    sqlite: SQLite.Database,
  ) {
    // A messageId is new when it is absent or its last sighting is older than the window (cutoff);
    // an upsert whose WHERE fails changes nothing.
    this.claim = sqlite.prepare(
      `INSERT INTO dedupe (source_id, message_id, seen_at) VALUES (?, ?, ?)
       ON CONFLICT (source_id, message_id) DO UPDATE SET seen_at = excluded.seen_at WHERE dedupe.seen_at < ?`,
    );
    this.insert = sqlite.prepare(
      `INSERT INTO events (source_id, message_id, type, event, user_id, anonymous_id, ts, received_at, payload)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  append(events: NewLogEvent[], cutoff: number): Promise<(number | null)[]> {
    return this.db.transaction().execute(async () =>
      events.map((e) =>
        this.claim.run(e.sourceId, e.messageId, e.receivedAt, cutoff).changes === 1
          ? Number(this.insert.run(e.sourceId, e.messageId, e.type, e.event, e.userId, e.anonymousId, e.ts, e.receivedAt, e.payload).lastInsertRowid)
          : null,
      ),
    );
  }
}
