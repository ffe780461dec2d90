// Rebuild by replay: forgets every derived identity and profile row and rewinds the identity stage to
// the start of the log, which then re-resolves everything under the current rules, separations and
// computed-trait definitions. Feed consumers are told with a `deleted` change per old profile.
import { sql } from 'kysely';
import type { Db, Dialect } from '../storage/index.js';
import type { Clock } from '../shared/clock.js';
import { IDENTITY_STAGE, PROFILE_FEED_LOCK } from './engine.js';

export async function resetIdentity(deps: { db: Db; dialect: Dialect; clock: Clock }): Promise<{ profilesDropped: number }> {
  const { db, dialect, clock } = deps;
  return db.transaction().execute(async (trx) => {
    await dialect.lockName(trx, `stage:${IDENTITY_STAGE}`);
    await dialect.lockName(trx, PROFILE_FEED_LOCK);
    const res = await sql`INSERT INTO profile_changes (profile_id, kind, at) SELECT id, 'deleted', ${clock.now()} FROM profiles`.execute(trx);
    for (const table of [
      'profiles',
      'profile_events',
      'profile_search',
      'identity_identifiers',
      'identity_components',
      'identity_profiles',
      'identity_merges',
      'identity_decisions',
    ] as const)
      await trx.deleteFrom(table).execute();
    await trx.deleteFrom('stage_offsets').where('stage', '=', IDENTITY_STAGE).execute();
    return { profilesDropped: Number(res.numAffectedRows ?? 0) };
  });
}
