// Reads of other capabilities' contract tables the engine needs at send time: a profile's latest
// consent (from the consent-carrying events attributed to it in profile_events) and the traits of
// the profile an event belongs to.
import type { Db, Dialect } from '../storage/index.js';
import type { CategoryPreferences } from './consent.js';

export class ProfileReads {
  constructor(
    private readonly db: Db,
    private readonly dialect: Dialect,
  ) {}

  /** The most recent consent preferences each profile stated, for those that stated any. */
  async latestConsent(profileIds: string[]): Promise<Map<string, CategoryPreferences>> {
    const out = new Map<string, CategoryPreferences>();
    for (let i = 0; i < profileIds.length; i += 1000) {
      const rows = await this.db
        .selectFrom('consent_events as c')
        .innerJoin('profile_events as pe', 'pe.seq', 'c.seq')
        .select(['pe.profile_id', 'c.preferences'])
        .where('pe.profile_id', 'in', profileIds.slice(i, i + 1000))
        .orderBy('c.seq')
        .execute();
      for (const r of rows) out.set(r.profile_id, this.dialect.parseJson(r.preferences) as CategoryPreferences);
    }
    return out;
  }

  async traitsForEvent(seq: number): Promise<Record<string, unknown>> {
    const row = await this.db
      .selectFrom('profile_events as pe')
      .innerJoin('profiles as p', 'p.id', 'pe.profile_id')
      .select('p.traits')
      .where('pe.seq', '=', seq)
      .executeTakeFirst();
    return row ? (this.dialect.parseJson(row.traits) as Record<string, unknown>) : {};
  }
}
