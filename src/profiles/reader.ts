// The read side of the 360° profile: lookup by any identifier, the profile with its trait provenance
// and computed traits (time-dependent ones evaluated now), the unified timeline, search, merge history.
import { sql } from 'kysely';
import type { Db, Dialect } from '../storage/index.js';
import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import { decodeCursor, encodeCursor, type Page } from '../shared/paging.js';
import { identifierKey, keyingOf, normaliseIdentifier, loadRules, lookupKey, revealKeys, storedKeys } from '../identity/index.js';
import { openJson, openTraits } from '../shared/encryption/pii-vault.js';
import { computedValue, isStored, windowedValue, type FoldEvent } from './computed-traits.js';
import { loadDefinitions } from './definitions-store.js';
import type { ProfileState } from './profile-state.js';
import type { ProfileView } from './schema.js';

const DAY_MS = 86_400_000;
/** Search under field encryption tries the query as each kind of classified value (blind-index.ts). */
const PII_KINDS_FOR_SEARCH = ['email', 'phone', 'name', 'address', 'pii'] as const;
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export class ProfileReader {
  private hasMemberships: boolean | undefined;

  constructor(
    private readonly db: Db,
    private readonly dialect: Dialect,
    private readonly clock: Clock,
  ) {}

  /** The profile id behind `type`/`value`; type `profile` takes a profile id as is. */
  async resolve(type: string, value: string): Promise<string> {
    if (type === 'profile') {
      const row = await this.db.selectFrom('identity_profiles').select('profile_id').where('profile_id', '=', value).executeTakeFirst();
      if (row) return row.profile_id;
    } else {
      const rules = await loadRules(this.db);
      const [key] = await storedKeys(this.dialect, rules, [lookupKey(rules, type, value)]);
      const row = await this.db.selectFrom('identity_identifiers').select('profile_id').where('key', '=', key).executeTakeFirst();
      if (row?.profile_id) return row.profile_id;
    }
    throw new AppError('profile_not_found', 404, `no profile with ${type} ${JSON.stringify(value)}`, { type, value });
  }

  async get(profileId: string): Promise<ProfileView> {
    const [state, row, defs] = await Promise.all([
      this.db.selectFrom('identity_profiles').select(['identifiers', 'state']).where('profile_id', '=', profileId).executeTakeFirst(),
      this.db.selectFrom('profiles').selectAll().where('id', '=', profileId).executeTakeFirst(),
      loadDefinitions(this.db),
    ]);
    if (!state || !row) throw new AppError('profile_not_found', 404, `no profile ${profileId}`);
    const s = await openJson<ProfileState>(this.dialect, state.state);
    const identifiers = JSON.parse(state.identifiers) as string[];
    const revealed = await revealKeys(this.db, this.dialect, identifiers);
    const now = this.clock.now();
    const computed: Record<string, unknown> = {};
    for (const def of defs) if (isStored(def) || def.kind === 'days_since_last') computed[def.name] = computedValue(def, s.aggs[def.name], now);
    const windowed = defs.filter((d) => d.windowDays !== undefined);
    if (windowed.length > 0) {
      const from = now - Math.max(...windowed.map((d) => d.windowDays!)) * DAY_MS;
      const events = await this.timelineSince(profileId, from);
      for (const def of windowed) computed[def.name] = windowedValue(def, events, now);
    }
    return {
      id: profileId,
      traits: Object.fromEntries(
        Object.entries(s.traits).map(([k, t]) => [k, { value: t.value, source: t.sourceId, sourceType: t.sourceType, timestamp: iso(t.ts)! }]),
      ),
      identities: identifiers.map((k) => revealed.get(k)!),
      computed,
      segments: await this.segments(profileId),
      summary: { firstSeen: iso(s.firstSeen), lastSeen: iso(s.lastSeen), eventCount: s.eventCount },
      createdAt: iso(Number(row.created_at))!,
      updatedAt: iso(Number(row.updated_at))!,
    };
  }

  private async timelineSince(profileId: string, from: number): Promise<FoldEvent[]> {
    const rows = await this.db
      .selectFrom('profile_events')
      .select(['type', 'event', 'ts', 'properties'])
      .where('profile_id', '=', profileId)
      .where('ts', '>=', from)
      .execute();
    return Promise.all(
      rows.map(async (r) => ({
        type: r.type,
        event: r.event,
        ts: Number(r.ts),
        sourceId: '',
        sourceType: null,
        properties: await this.properties(r.properties),
      })),
    );
  }

  /** profile_events.properties, classified properties opened (sealed under field encryption). */
  private properties(stored: unknown): Promise<Record<string, unknown>> {
    return openTraits(this.dialect, this.dialect.parseJson(stored as string) as Record<string, unknown>);
  }

  /** Segment memberships, read from the segments capability's table when it is installed. */
  private async segments(profileId: string): Promise<string[]> {
    this.hasMemberships ??= (await this.db.introspection.getTables()).some((t) => t.name === 'segment_memberships');
    if (!this.hasMemberships) return [];
    const rows = await sql<{ segment_id: string }>`SELECT segment_id FROM segment_memberships WHERE profile_id = ${profileId} ORDER BY segment_id`.execute(this.db);
    return rows.rows.map((r) => r.segment_id);
  }

  /** The unified timeline, newest first. */
  /** The timeline, newest first; `from` (inclusive) and `to` (exclusive) are epoch ms of the events' timestamps. */
  async events(profileId: string, limit: number, cursor?: string, only: { type?: string; event?: string; sourceId?: string; from?: number; to?: number } = {}) {
    const after = decodeCursor(cursor, (v): v is [number, number] => Array.isArray(v) && v.length === 2 && v.every(Number.isSafeInteger));
    if (only.from !== undefined && only.to !== undefined && only.from >= only.to)
      throw new AppError('invalid_query', 400, `from (${iso(only.from)}) must be before to (${iso(only.to)})`, { field: 'to' });
    let q = this.db.selectFrom('profile_events').selectAll().where('profile_id', '=', profileId);
    if (only.type) q = q.where('type', '=', only.type);
    if (only.event) q = q.where('event', '=', only.event);
    if (only.from !== undefined) q = q.where('ts', '>=', only.from);
    if (only.to !== undefined) q = q.where('ts', '<', only.to);
    // The timeline does not copy the source: each entry's raw event (a primary-key probe into the log) says.
    if (only.sourceId) {
      const sourceId = only.sourceId;
      q = q.where(({ exists, selectFrom }) => exists(selectFrom('events').select('events.seq').whereRef('events.seq', '=', 'profile_events.seq').where('events.source_id', '=', sourceId)));
    }
    if (after) {
      const [ts, seq] = after;
      q = q.where((eb) => eb.or([eb('ts', '<', ts), eb.and([eb('ts', '=', ts), eb('seq', '<', seq)])]));
    }
    const rows = await q.orderBy('ts', 'desc').orderBy('seq', 'desc').limit(limit + 1).execute();
    const page = rows.slice(0, limit);
    // The raw event of each entry (its messageId and source), so an agent can trace it in the log.
    const raw = new Map<number, { message_id: string; source_id: string }>();
    if (page.length > 0)
      for (const r of await this.db.selectFrom('events').select(['seq', 'message_id', 'source_id']).where('seq', 'in', page.map((r) => r.seq)).execute())
        raw.set(Number(r.seq), r);
    const data = await Promise.all(page.map(async (r) => ({
      seq: Number(r.seq),
      messageId: raw.get(Number(r.seq))?.message_id ?? null,
      sourceId: raw.get(Number(r.seq))?.source_id ?? null,
      type: r.type,
      event: r.event,
      timestamp: iso(Number(r.ts))!,
      properties: await this.properties(r.properties),
    })));
    const last = rows[limit - 1];
    return { data, next: rows.length > limit ? encodeCursor([Number(last.ts), Number(last.seq)]) : null };
  }

  /** Profiles with an identifier value or a string trait starting with `q`. */
  async search(q: string, limit: number): Promise<Page<{ id: string; identities: { type: string; value: string }[]; traits: Record<string, unknown> }>> {
    const ids = new Set<string>();
    const rules = await loadRules(this.db);
    const { codec, piiTypes, keyOf } = await keyingOf(this.dialect, rules);
    // Key ranges per identifier type use the primary key index: `email:ana` … `email:ana\uffff`. Under
    // field encryption a classified type's keys are blind indexes: only its exact normalised value matches.
    const blindTypes = new Set(piiTypes);
    const prefixes = rules.identifiers
      .filter((r) => !blindTypes.has(r.type))
      .flatMap((r) => [...new Set([q, q.trim().toLowerCase()])].map((p) => identifierKey(r.type, p)));
    const exact = rules.identifiers.filter((r) => blindTypes.has(r.type)).flatMap((r) => {
      const value = normaliseIdentifier(r, q, rules.defaultCountry);
      return value === null ? [] : [keyOf(r.type, value)];
    });
    const found = await this.db
      .selectFrom('identity_identifiers')
      .select('profile_id')
      .where('profile_id', 'is not', null)
      .where((eb) => eb.or([...prefixes.map((p) => eb.and([eb('key', '>=', p), eb('key', '<', p + '\uffff')])), ...(exact.length ? [eb('key', 'in', exact)] : [])]))
      .limit(limit)
      .execute();
    for (const r of found) ids.add(r.profile_id!);
    const lower = q.toLowerCase();
    const terms = await this.db
      .selectFrom('profile_search')
      .select('profile_id')
      .where((eb) => {
        const prefix = eb.and([eb('term', '>=', lower), eb('term', '<', lower + '\uffff')]);
        // Classified traits' terms are blind indexes of the value under each kind's normalisation.
        const blind = codec ? PII_KINDS_FOR_SEARCH.map((kind) => codec.valueIndex(kind, q)) : [];
        return blind.length ? eb.or([prefix, eb('term', 'in', blind)]) : prefix;
      })
      .limit(limit)
      .execute();
    for (const r of terms) ids.add(r.profile_id);
    const matches = [...ids].sort().slice(0, limit);
    if (matches.length === 0) return { data: [], next: null };
    const rows = await this.db.selectFrom('identity_profiles').select(['profile_id', 'identifiers', 'state']).where('profile_id', 'in', matches).execute();
    const revealed = await revealKeys(this.db, this.dialect, [...new Set(rows.flatMap((r) => JSON.parse(r.identifiers) as string[]))]);
    const data = [];
    for (const r of rows)
      data.push({
        id: r.profile_id,
        identities: (JSON.parse(r.identifiers) as string[]).map((k) => revealed.get(k)!),
        traits: Object.fromEntries(Object.entries((await openJson<ProfileState>(this.dialect, r.state)).traits).map(([k, t]) => [k, t.value])),
      });
    return { data, next: null };
  }

  /** Merges into this profile (following later merges) and unmerges of it, oldest first. */
  async history(profileId: string) {
    const [merges, unmerges] = await Promise.all([
      this.db.selectFrom('identity_merges').selectAll().where('profile_id', '=', profileId).orderBy('at').orderBy('id').execute(),
      this.db
        .selectFrom('identity_unmerges')
        .selectAll()
        .where((eb) => eb.or([eb('profile_id', '=', profileId), eb('new_profile_id', '=', profileId)]))
        .orderBy('at')
        .execute(),
    ]);
    const revealed = await revealKeys(this.db, this.dialect, [...new Set([...merges, ...unmerges].flatMap((m) => JSON.parse(m.identifiers) as string[]))]);
    const ref = (k: string) => revealed.get(k)!;
    const entries = [
      ...merges.map((m) => ({
        kind: 'merge' as const,
        at: Number(m.at),
        intoProfileId: m.into_profile_id,
        otherProfileId: m.merged_profile_id,
        eventSeq: Number(m.event_seq),
        identifiers: (JSON.parse(m.identifiers) as string[]).map(ref),
      })),
      ...unmerges.map((u) => ({
        kind: 'unmerge' as const,
        at: Number(u.at),
        intoProfileId: u.profile_id,
        otherProfileId: u.new_profile_id,
        eventSeq: null,
        identifiers: (JSON.parse(u.identifiers) as string[]).map(ref),
      })),
    ].sort((a, b) => a.at - b.at);
    return { data: entries.map((e) => ({ ...e, at: iso(e.at)! })), next: null };
  }

  /** Identifiers dropped from this profile's events, newest first. */
  async decisions(profileId: string, limit: number) {
    const rows = await this.db.selectFrom('identity_decisions').selectAll().where('profile_id', '=', profileId).orderBy('event_seq', 'desc').limit(limit).execute();
    const revealed = await revealKeys(this.db, this.dialect, [...new Set(rows.map((d) => d.identifier))]);
    return {
      data: rows.map((d) => ({ eventSeq: Number(d.event_seq), identifier: revealed.get(d.identifier)!, reason: d.reason, at: iso(Number(d.at))! })),
      next: null,
    };
  }
}
