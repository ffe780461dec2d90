// Reads of other capabilities' state the engine needs at send time: a profile's effective consent
// (privacy/consent: statements from events and the API) and the traits of the profile an event belongs to.
import type { Db, Dialect } from '../storage/index.js';
import type { CategoryPreferences, ConsentStore } from '../privacy/consent/index.js';

export class ProfileReads {
  constructor(
    private readonly db: Db,
    private readonly dialect: Dialect,
    private readonly consent: ConsentStore,
  ) {}

  /** Each profile's effective consent (its statements from events and the API folded, required categories granted). */
  latestConsent(profileIds: string[]): Promise<Map<string, CategoryPreferences>> {
    return this.consent.latest(profileIds);
  }

  /**
   * For each event: its profile's effective consent now (which folds in the event's own statement and
   * any later one), then the event's own statement (an event not yet attributed to a profile).
   */
  async consentForEvents(seqs: number[]): Promise<Map<number, CategoryPreferences[]>> {
    const out = new Map<number, CategoryPreferences[]>();
    for (let i = 0; i < seqs.length; i += 1000) {
      const part = seqs.slice(i, i + 1000);
      const [own, owners] = await Promise.all([
        this.db.selectFrom('consent_events').select(['seq', 'preferences']).where('seq', 'in', part).execute(),
        this.db.selectFrom('profile_events').select(['seq', 'profile_id']).where('seq', 'in', part).execute(),
      ]);
      const profiles = await this.consent.latest([...new Set(owners.map((o) => o.profile_id))]);
      const ownBySeq = new Map(own.map((r) => [Number(r.seq), this.dialect.parseJson(r.preferences) as CategoryPreferences]));
      const ownerBySeq = new Map(owners.map((r) => [Number(r.seq), r.profile_id]));
      for (const seq of part) out.set(seq, [profiles.get(ownerBySeq.get(seq) ?? '') ?? {}, ownBySeq.get(seq) ?? {}]);
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
