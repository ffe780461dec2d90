// Reads of other capabilities' state the engine needs at send time: a profile's effective consent
// (privacy/consent: statements from events and the API) and the traits of the profile an event belongs to.
import type { Db, Dialect } from '../storage/index.js';
import type { CategoryPreferences, ConsentStore } from '../privacy/consent/index.js';
import { openTraits } from '../shared/encryption/pii-vault.js';

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
   * For each event delivery (its row id, the log offset of its event if any, and its ordering key: the
   * user or anonymous id — or the profile id for sends that are not events of the log, e.g. journeys'):
   * the profile's effective consent now — which folds in the event's own statement and any later one —
   * then the event's own statement. Event forwarding does not wait for identity resolution, so an event
   * not yet in a timeline is attributed through the identity graph by its id.
   */
  async consentForDeliveries(rows: { id: number; seq?: number; key: string }[]): Promise<Map<number, CategoryPreferences[]>> {
    const out = new Map<number, CategoryPreferences[]>();
    for (let i = 0; i < rows.length; i += 500) {
      const part = rows.slice(i, i + 500);
      const seqs = part.flatMap((r) => (r.seq === undefined ? [] : [r.seq]));
      const ids = [...new Set(part.flatMap((r) => [`user_id:${r.key}`, `anonymous_id:${r.key}`]))];
      const [own, owners, graph] = await Promise.all([
        seqs.length ? this.db.selectFrom('consent_events').select(['seq', 'preferences']).where('seq', 'in', seqs).execute() : [],
        seqs.length ? this.db.selectFrom('profile_events').select(['seq', 'profile_id']).where('seq', 'in', seqs).execute() : [],
        this.db.selectFrom('identity_identifiers').select(['key', 'profile_id']).where('key', 'in', ids).execute(),
      ]);
      const ownBySeq = new Map(own.map((r) => [Number(r.seq), this.dialect.parseJson(r.preferences) as CategoryPreferences]));
      const ownerBySeq = new Map(owners.map((r) => [Number(r.seq), r.profile_id]));
      const ownerByKey = new Map(graph.filter((g) => g.profile_id).map((g) => [g.key, g.profile_id!]));
      const ownerOf = (r: { seq?: number; key: string }) =>
        (r.seq !== undefined ? ownerBySeq.get(r.seq) : undefined) ?? ownerByKey.get(`user_id:${r.key}`) ?? ownerByKey.get(`anonymous_id:${r.key}`) ?? r.key;
      const profiles = await this.consent.latest([...new Set(part.map(ownerOf))]);
      for (const r of part) out.set(r.id, [profiles.get(ownerOf(r)) ?? {}, (r.seq !== undefined ? ownBySeq.get(r.seq) : undefined) ?? {}]);
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
    return row ? openTraits(this.dialect, this.dialect.parseJson(row.traits) as Record<string, unknown>) : {};
  }
}
