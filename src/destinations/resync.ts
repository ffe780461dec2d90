// Full resync of an audience destination, in one of two modes:
// - diff (default): the segment's current members are compared with what the platform was sent (the
//   destination's sent set), and the differences are enqueued as adds and removes in one
//   transaction. Profiles with deliveries still pending are left to those deliveries.
// - replace (connectors with `replace`, i.e. Meta): every current member (profile existing, consent
//   allowing) is enqueued as a `replace` row of one upload session per segment, batches of the
//   connector's maxBatch decided up front. The engine sends the batches in order through the
//   platform's replace endpoint; when the last one is delivered the sent set becomes exactly the
//   uploaded members (sessions.ts). Identifiers are frozen now: the upload is this snapshot.
import { sql, type Transaction } from 'kysely';
import type { Database, Db, Dialect } from '../storage/index.js';
import type { SealedJson } from '../shared/encryption/sealed-json.js';
import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import { consentAllows } from '../privacy/consent/index.js';
import type { IdentifierSource, ProfileIdentifiers } from './identifiers.js';
import { enqueue, type NewDelivery } from './outbox.js';
import type { ProfileReads } from './profile-reads.js';
import { newSessionId } from './sessions.js';
import type { ActiveDestination } from './store.js';

export interface MemberSource {
  /** Profile ids currently in the segment. */
  members(segmentId: string): Promise<string[]>;
}

/** The segments engine's `segment_memberships(segment_id, profile_id)` table. */
export function segmentMembershipsTable(db: Db): MemberSource {
  return {
    async members(segmentId) {
      try {
        const r = await sql<{ profile_id: string }>`SELECT profile_id FROM segment_memberships WHERE segment_id = ${segmentId}`.execute(db);
        return r.rows.map((x) => x.profile_id);
      } catch (err) {
        throw new AppError('segments_unavailable', 409, 'segment memberships cannot be read (is the segments engine installed?)', {
          cause: (err as Error).message,
        });
      }
    },
  };
}

/** The adds and removes that make the platform match the members. Pure. */
export function diffMembers(members: Set<string>, sent: Set<string>, pending: Set<string>) {
  const add = [...members].filter((p) => !sent.has(p) && !pending.has(p)).sort();
  const remove = [...sent].filter((p) => !members.has(p) && !pending.has(p)).sort();
  return { add, remove };
}

export async function resync(
  o: { db: Db; dialect: Dialect; outbox: SealedJson; clock: Clock; source: MemberSource },
  d: ActiveDestination,
): Promise<{ added: number; removed: number }> {
  if (d.kind !== 'audience') throw new AppError('not_an_audience', 400, 'only audience destinations can be resynced');
  const runId = o.clock.now();
  let added = 0;
  let removed = 0;
  for (const segmentId of Object.keys(d.segments)) {
    const members = new Set(await o.source.members(segmentId));
    await o.db.transaction().execute(async (trx) => {
      await o.dialect.lockName(trx, `resync:${d.id}`);
      await assertNoReplaceRunning(trx, d.id);
      const sent = await trx.selectFrom('destination_members').select('profile_id').where('destination_id', '=', d.id).where('segment_id', '=', segmentId).execute();
      const pending = await trx
        .selectFrom('deliveries')
        .select('order_key')
        .distinct()
        .where('destination_id', '=', d.id)
        .where('segment_id', '=', segmentId)
        .where('status', 'in', ['queued', 'inflight', 'retrying'])
        .execute();
      const diff = diffMembers(members, new Set(sent.map((r) => r.profile_id)), new Set(pending.map((r) => r.order_key)));
      const now = o.clock.now();
      const make = (op: 'add' | 'remove') => (profileId: string): NewDelivery => ({
        destinationId: d.id,
        idempotencyKey: `resync:${runId}:${segmentId}:${op}:${profileId}`,
        orderKey: profileId,
        op,
        segmentId,
        payload: { resync: runId },
        at: now,
      });
      await enqueue(trx, o.outbox, [...diff.add.map(make('add')), ...diff.remove.map(make('remove'))]);
      added += diff.add.length;
      removed += diff.remove.length;
    });
  }
  return { added, removed };
}

/** A replace session runs until its last batch settles; a second resync meanwhile would race it. */
async function assertNoReplaceRunning(trx: Transaction<Database>, destinationId: string) {
  const running = await trx
    .selectFrom('deliveries')
    .select('session_id')
    .where('destination_id', '=', destinationId)
    .where('op', '=', 'replace')
    .where('status', 'in', ['queued', 'inflight', 'retrying'])
    .limit(1)
    .executeTakeFirst();
  if (running) throw new AppError('replace_in_progress', 409, `replace session ${running.session_id} of this destination is still running; resync again when it has finished`);
}

export interface ReplaceSession {
  segmentId: string;
  audienceId: string;
  sessionId: string;
  members: number;
  batches: number;
}

export async function replaceResync(
  o: { db: Db; dialect: Dialect; outbox: SealedJson; clock: Clock; source: MemberSource; identifiers: IdentifierSource; profiles: ProfileReads },
  d: ActiveDestination,
): Promise<{ replaced: number; sessions: ReplaceSession[]; skipped: number }> {
  if (d.kind !== 'audience') throw new AppError('not_an_audience', 400, 'only audience destinations can be resynced');
  if (!d.connector.replace) throw new AppError('replace_unsupported', 400, `the ${d.connector.name} connector cannot replace an audience; use mode "diff"`);
  const audiences = Object.values(d.segments);
  if (new Set(audiences).size !== audiences.length)
    throw new AppError('shared_audience', 400, 'several segments sync to the same audience: replacing it from one segment would drop the others');
  // The snapshot: current members that exist and whose consent allows the destination's category.
  const uploads: { segmentId: string; audienceId: string; members: ProfileIdentifiers[] }[] = [];
  let skipped = 0;
  for (const [segmentId, audienceId] of Object.entries(d.segments)) {
    const ids = [...new Set(await o.source.members(segmentId))].sort();
    const [identifiers, consent] = await Promise.all([o.identifiers.load(ids), d.category ? o.profiles.latestConsent(ids) : new Map()]);
    const members = ids.flatMap((id) => {
      const m = identifiers.get(id);
      return m && consentAllows(consent.get(id), d.category) ? [m] : [];
    });
    skipped += ids.length - members.length;
    if (members.length === 0)
      throw new AppError('replace_empty', 409, `segment ${segmentId} has no member to upload, and an audience cannot be replaced with nobody; use mode "diff" to remove its members`, { segmentId });
    uploads.push({ segmentId, audienceId, members });
  }
  const now = o.clock.now();
  const max = d.connector.maxBatch;
  const sessions: ReplaceSession[] = [];
  await o.db.transaction().execute(async (trx) => {
    await o.dialect.lockName(trx, `resync:${d.id}`);
    await assertNoReplaceRunning(trx, d.id);
    for (const u of uploads) {
      const id = newSessionId(now);
      const batches = Math.ceil(u.members.length / max);
      await enqueue(
        trx,
        o.outbox,
        u.members.map((member, i): NewDelivery => {
          const seq = Math.floor(i / max) + 1;
          return {
            destinationId: d.id,
            idempotencyKey: `replace:${id}:${member.profileId}`,
            orderKey: member.profileId,
            op: 'replace',
            segmentId: u.segmentId,
            payload: { member },
            at: now,
            session: { id, seq, batches, total: u.members.length },
            attemptGroup: `ses:${id}:${seq}`,
          };
        }),
      );
      sessions.push({ segmentId: u.segmentId, audienceId: u.audienceId, sessionId: id, members: u.members.length, batches });
    }
  });
  return { replaced: sessions.reduce((a, s) => a + s.members, 0), sessions, skipped };
}
