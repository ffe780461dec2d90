// What /v1/decide knows about a visitor, read from the profile store and kept for a few seconds
// (`decideCacheMs`): the visitor's profile (userId, else anonymousId, through the identity graph),
// its traits and computed traits, segment memberships, tags and the recent event counts the
// placements ask about. Nothing is rebuilt per request: these are indexed reads of state the
// pipeline maintains, and a repeat visitor within the cache time costs no query at all.
import { sql } from 'kysely';
import { loadRules, lookupKey } from '../identity/index.js';
import type { IdentityRules } from '../identity/index.js';
import type { Clock } from '../shared/clock.js';
import type { Db, Dialect } from '../storage/index.js';
import { eventKey, type VisitorFacts } from './decide.js';
import { openTraits } from '../shared/encryption/pii-vault.js';

const MAX_ENTRIES = 100_000;
const DAY_MS = 86_400_000;

interface Entry<T> {
  value: T;
  until: number;
}

/** A size-bounded map whose entries expire; the oldest insertion goes first when full. */
class ExpiringCache<T> {
  private readonly map = new Map<string, Entry<T>>();
  constructor(private readonly max: number) {}
  get(key: string, now: number): T | undefined {
    const e = this.map.get(key);
    if (!e) return undefined;
    if (e.until <= now) {
      this.map.delete(key);
      return undefined;
    }
    return e.value;
  }
  set(key: string, value: T, until: number) {
    if (this.map.size >= this.max) this.map.delete(this.map.keys().next().value as string);
    this.map.set(key, { value, until });
  }
}

const UNKNOWN: VisitorFacts = { known: false, traits: {}, segments: new Set(), tags: new Set(), eventCounts: new Map() };

export class VisitorFactsReader {
  private readonly profiles = new ExpiringCache<string | null>(MAX_ENTRIES);
  private readonly facts = new ExpiringCache<VisitorFacts>(MAX_ENTRIES);
  private rules?: Entry<IdentityRules>;

  constructor(
    private readonly db: Db,
    private readonly dialect: Dialect,
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {}

  /** The visitor's profile id (userId first), or null when neither identifier is known. */
  async profileOf(userId: string | undefined, anonymousId: string | undefined): Promise<string | null> {
    const now = this.clock.now();
    const cacheKey = `${userId ?? ''}\u0000${anonymousId ?? ''}`;
    const hit = this.profiles.get(cacheKey, now);
    if (hit !== undefined) return hit;
    const rules = await this.identityRules(now);
    const keys: string[] = [];
    for (const [type, value] of [['user_id', userId], ['anonymous_id', anonymousId]] as const) {
      if (value === undefined || !rules.identifiers.some((r) => r.type === type)) continue;
      try {
        keys.push(lookupKey(rules, type, value));
      } catch {
        // A value the rules reject (e.g. too long) identifies nobody.
      }
    }
    let profileId: string | null = null;
    if (keys.length > 0) {
      const rows = await this.db.selectFrom('identity_identifiers').select(['key', 'profile_id']).where('key', 'in', keys).execute();
      for (const k of keys) {
        profileId = rows.find((r) => r.key === k)?.profile_id ?? null;
        if (profileId) break;
      }
    }
    this.profiles.set(cacheKey, profileId, now + this.ttlMs);
    return profileId;
  }

  /** The facts the rules test, for a profile (null: an unknown visitor). */
  async factsOf(profileId: string | null, windows: { event: string; days: number }[]): Promise<VisitorFacts> {
    if (profileId === null) return UNKNOWN;
    const now = this.clock.now();
    const cacheKey = `${profileId}\u0000${windows.map((w) => eventKey(w.event, w.days)).sort().join('\u0001')}`;
    const hit = this.facts.get(cacheKey, now);
    if (hit) return hit;
    const [profile, segments, tags, counts] = await Promise.all([
      this.db.selectFrom('profiles').select(['traits', 'computed']).where('id', '=', profileId).executeTakeFirst(),
      this.db.selectFrom('segment_memberships').select('segment_id').where('profile_id', '=', profileId).execute(),
      this.db.selectFrom('profile_tags').select('tag').where('profile_id', '=', profileId).execute(),
      this.eventCounts(profileId, windows, now),
    ]);
    const facts: VisitorFacts = profile
      ? {
          known: true,
          traits: { ...(await openTraits(this.dialect, this.dialect.parseJson(profile.traits) as Record<string, unknown>)), ...(this.dialect.parseJson(profile.computed) as object) },
          segments: new Set(segments.map((r) => r.segment_id)),
          tags: new Set(tags.map((r) => r.tag)),
          eventCounts: counts,
        }
      : UNKNOWN;
    this.facts.set(cacheKey, facts, now + this.ttlMs);
    return facts;
  }

  /** One indexed range count per (event, window) — profile_events(profile_id, event, ts). */
  private async eventCounts(profileId: string, windows: { event: string; days: number }[], now: number): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (windows.length === 0) return out;
    const parts = windows.map(
      (w) => sql<{ k: string; n: number }>`SELECT CAST(${eventKey(w.event, w.days)} AS TEXT) AS k, COUNT(*) AS n FROM profile_events WHERE profile_id = ${profileId} AND event = ${w.event} AND ts >= ${now - w.days * DAY_MS}`,
    );
    const rows = await sql<{ k: string; n: number | string }>`${sql.join(parts, sql` UNION ALL `)}`.execute(this.db);
    for (const r of rows.rows) out.set(r.k, Number(r.n));
    return out;
  }

  private async identityRules(now: number): Promise<IdentityRules> {
    if (!this.rules || this.rules.until <= now) this.rules = { value: await loadRules(this.db), until: now + Math.max(this.ttlMs, 1_000) };
    return this.rules.value;
  }
}
