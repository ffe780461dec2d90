// How far segment membership is known, as a log position. Event forwarding reads the log directly,
// but a segment filter is answered by `segment_memberships`, which is derived further down the
// chain (log → identity → profile_changes → segments). An event checked before the segments stage
// has taken it into account would be judged on stale membership: the event that makes a person
// enter would be dropped, an event after the exit would still be sent. So segment-filtered
// forwarding only goes as far as this barrier.
//
// It is read from the durable positions in the store, so it holds when the stages run in other
// processes:
// - identity's position is a log seq: every event up to it has its profile_changes committed (same
//   transaction);
// - the segments stage's position is a profile_changes seq; each change records the log event that
//   caused it (`event_seq`), so the oldest event of a change it has not applied yet is the first
//   one whose membership may still move.
// One statement, so both are read from one snapshot (PostgreSQL) or one state (SQLite).
import { sql, type Kysely } from 'kysely';
import type { Database } from '../storage/index.js';
import { IDENTITY_STAGE } from '../identity/engine.js';
import { SEGMENTS_STAGE } from '../segments/realtime-stage.js';

/** The highest log seq whose effect on segment membership is committed (0: none yet). */
export async function segmentBarrier(db: Kysely<Database>): Promise<number> {
  const { rows } = await sql<{ identity: number | string | null; pending: number | string | null }>`SELECT
      (SELECT position FROM stage_offsets WHERE stage = ${IDENTITY_STAGE}) AS identity,
      (SELECT MIN(event_seq) FROM profile_changes
        WHERE change_seq > COALESCE((SELECT position FROM stage_offsets WHERE stage = ${SEGMENTS_STAGE}), 0)) AS pending`.execute(db);
  const identity = Number(rows[0]?.identity ?? 0);
  const pending = rows[0]?.pending;
  // Changes without an event (an identity rebuild's `deleted`) are ignored by MIN; a rebuild also
  // rewinds identity, which holds the barrier back until the log is re-resolved.
  return pending === null || pending === undefined ? identity : Math.min(identity, Number(pending) - 1);
}
