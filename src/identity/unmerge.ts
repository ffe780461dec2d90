// Splitting a wrongly merged profile (a shared family tablet, a mistyped email): the identifiers named
// by the admin are kept apart from the rest of the profile by persisted "do not link" separations, and
// the component is replayed, so its events and traits go back to the right profiles — and any later
// replay or rebuild keeps them apart too.
import type { Db, Dialect } from '../storage/index.js';
import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import { IDENTITY_STAGE, PROFILE_FEED_LOCK, type IdentityEngine } from './engine.js';

export interface UnmergeResult {
  id: string;
  /** The profile that now holds the identifiers that were not split off. */
  profileId: string | null;
  /** The profile that now holds the split-off identifiers. */
  newProfileId: string | null;
}

export async function unmerge(
  deps: { db: Db; dialect: Dialect; clock: Clock; engine: IdentityEngine },
  profileId: string,
  splitKeys: string[],
  actor: string | null,
): Promise<UnmergeResult> {
  const { db, dialect, clock, engine } = deps;
  return db.transaction().execute(async (trx) => {
    // The stage must not interleave with the replay below.
    await dialect.lockName(trx, `stage:${IDENTITY_STAGE}`);
    await dialect.lockName(trx, PROFILE_FEED_LOCK);
    const row = await trx.selectFrom('identity_profiles').select(['component_id', 'identifiers']).where('profile_id', '=', profileId).executeTakeFirst();
    if (!row) throw new AppError('profile_not_found', 404, `no profile ${profileId}`);
    const held = new Set(JSON.parse(row.identifiers) as string[]);
    const split = [...new Set(splitKeys)];
    const foreign = split.filter((k) => !held.has(k));
    if (foreign.length > 0)
      throw new AppError('identifier_not_in_profile', 400, `the profile does not hold ${foreign.join(', ')}`, { identifiers: foreign });
    const rest = [...held].filter((k) => !split.includes(k));
    if (rest.length === 0) throw new AppError('nothing_left', 400, 'splitting off every identifier of a profile would not split it');

    const id = newId('unm');
    const pairs = split.flatMap((a) => rest.map((b) => (a < b ? { a, b, unmerge_id: id } : { a: b, b: a, unmerge_id: id })));
    for (let i = 0; i < pairs.length; i += 1000)
      await trx.insertInto('identity_separations').values(pairs.slice(i, i + 1000)).onConflict((oc) => oc.doNothing()).execute();

    const ctx = await engine.context(trx);
    await engine.replayComponents(trx, ctx, [row.component_id]);

    const ownerOf = async (key: string) =>
      (await trx.selectFrom('identity_identifiers').select('profile_id').where('key', '=', key).executeTakeFirst())?.profile_id ?? null;
    const result = { id, profileId: await ownerOf(rest[0]), newProfileId: await ownerOf(split[0]) };
    await trx
      .insertInto('identity_unmerges')
      .values({ id, profile_id: profileId, new_profile_id: result.newProfileId, identifiers: JSON.stringify(split), actor, at: clock.now() })
      .execute();
    return result;
  });
}
