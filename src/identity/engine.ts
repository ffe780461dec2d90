// Identity resolution over the store: the stage's batch (fast path for in-order events, canonical
// replay of every component a late or linking event lands in) and the component replay that unmerge
// also uses. The decisions themselves are made by the pure session/resolve code.
import type { Transaction } from 'kysely';
import type { Database, Dialect } from '../storage/index.js';
import { eventPayloads, toStoredEvents, type StoredEvent } from '../log/index.js';
import type { Clock } from '../shared/clock.js';
import { isIncremental, loadDefinitions, type ComputedTraitDefinition } from '../profiles/fold.js';
import { canonicalKey, compareKeys, ComponentTracker, type CanonicalKey } from './components.js';
import { ResolutionSession, type ChangeRow, type PreparedEvent, type SessionContext } from './session.js';
import { prepareEvent, type IdentityInput } from './prepare.js';
import { inChunks, loadSeparations, loadSlice, loadSourceTypes, writeSession } from './store.js';
import { loadRules } from './rules-store.js';
import type { IdentityRules } from './schema.js';
import { keyingOf, type Keying } from './keying.js';
import { isSealed, openJson } from '../shared/encryption/pii-vault.js';

type Trx = Transaction<Database>;

export const IDENTITY_STAGE = 'identity';
export const PROFILE_FEED_LOCK = 'feed:profile_changes';

interface BatchContext {
  rules: IdentityRules;
  /** The rules as JSON (with the blind-indexed types), to compare with those a batch was prepared under. */
  rulesJson: string;
  /** Graph keys and what is sealed under field encryption (keying.ts). */
  keying: Keying;
  defs: ComputedTraitDefinition[];
  session: SessionContext;
  sourceTypes: Map<string, string>;
}

/**
 * Which events' properties the profile fold reads (profile-state.ts, computed-traits.ts): identify
 * traits, and the properties computed traits aggregate. Timelines store them as JSON (propertiesJson).
 */
function readsProperties(defs: readonly ComputedTraitDefinition[]): (e: PreparedEvent) => boolean {
  const reading = defs.filter((d) => isIncremental(d) && d.property !== undefined);
  const anyEvent = reading.some((d) => d.event === undefined);
  const events = new Set(reading.map((d) => d.event));
  return (e) => e.type === 'identify' || anyEvent || (e.event !== null && events.has(e.event));
}

/** Plain values of the batch's blind-keyed identifiers: identity_identifiers.value holds them sealed. */
function valuesOf(keying: Keying, events: PreparedEvent[]): Map<string, string> {
  const values = new Map<string, string>();
  if (keying.codec) for (const e of events) for (const i of e.ids) values.set(i.key, i.value);
  return values;
}

export class IdentityEngine {
  /** Counters for operations and benchmarks: components replayed in canonical order, and their events. */
  readonly stats = { replays: 0, replayedEvents: 0 };

  constructor(
    private readonly dialect: Dialect,
    private readonly clock: Clock,
    /** The log's payload column (EventLog.payloads) when field encryption may be on; without it payloads are read in clear. */
    private readonly payloads = eventPayloads(dialect, undefined),
  ) {}

  /** Rules, separations, definitions and source types: a handful of small reads per batch. */
  async context(trx: Trx): Promise<BatchContext> {
    const [rules, defs, separations, sourceTypes] = await Promise.all([loadRules(trx), loadDefinitions(trx), loadSeparations(trx), loadSourceTypes(trx)]);
    const keying = await keyingOf(this.dialect, rules, trx);
    return {
      rules,
      rulesJson: keying.json,
      keying,
      defs,
      sourceTypes,
      session: {
        fold: { defs, precedence: rules.traitPrecedence },
        limits: new Map(rules.identifiers.map((r) => [r.type, r.limit])),
        separations,
      },
    };
  }

  prepare(ctx: BatchContext, e: StoredEvent): PreparedEvent {
    return prepareEvent(e, ctx.rules, ctx.sourceTypes.get(e.sourceId) ?? null, ctx.keying.keyOf);
  }

  /** These log events, read inside the transaction and prepared under its rules (in no particular order). */
  private async readPrepared(trx: Trx, ctx: BatchContext, seqs: number[]): Promise<PreparedEvent[]> {
    const events: PreparedEvent[] = [];
    await inChunks(this.dialect, seqs, async (chunk) => {
      const rows = await trx.selectFrom('events').selectAll().where('seq', 'in', chunk).execute();
      for (const e of await toStoredEvents(rows, this.payloads)) events.push(this.prepare(ctx, e));
    });
    return events;
  }

  /** The stage's apply: one batch of prepared log events (input-feed.ts), in one transaction. */
  async applyBatch(trx: Trx, items: IdentityInput[]): Promise<void> {
    await this.dialect.lockName(trx, PROFILE_FEED_LOCK);
    const ctx = await this.context(trx);
    let events: PreparedEvent[];
    if (items.every((i) => i.rules === ctx.rulesJson)) {
      const reads = readsProperties(ctx.defs);
      events = items.map(({ event: e }) => {
        e.sourceType = ctx.sourceTypes.get(e.sourceId) ?? null;
        // The prefetch thread passes properties as JSON only (prefetch-thread.ts).
        e.properties ??= reads(e as PreparedEvent) ? (JSON.parse(e.propertiesJson) as Record<string, unknown>) : {};
        return e as PreparedEvent;
      });
    } else {
      // Prepared under other rules than the transaction reads (they changed meanwhile): again, in log order.
      events = (await this.readPrepared(trx, ctx, items.map((i) => i.event.seq))).sort((a, b) => a.seq - b.seq);
    }
    const keys = [...new Set(events.flatMap((e) => e.ids.map((i) => i.key)))];
    const slice = await loadSlice(trx, this.dialect, keys);
    const componentOf = new Map([...slice.identifiers].map(([k, r]) => [k, r.componentId]));
    const tracker = new ComponentTracker(slice.last, componentOf);
    const session = new ResolutionSession(ctx.session, slice.identifiers, slice.profiles);
    const late: { event: PreparedEvent; componentId: string }[] = [];
    for (const e of events) {
      if (e.ids.length === 0) {
        session.decisions.push({ componentId: null, eventSeq: e.seq, profileId: null, identifier: '', reason: 'no_identifiers', at: e.ts });
        continue;
      }
      const key = canonicalKey(e);
      const routed = tracker.route(
        e.ids.map((i) => i.key),
        key,
        () => session.heldBefore(e.ids, key),
      );
      if (routed.late) late.push({ event: e, componentId: routed.componentId });
      else session.process(e, routed.componentId, key);
    }
    await writeSession(trx, this.dialect, session, {
      now: this.clock.now(),
      defs: ctx.defs,
      codec: ctx.keying.codec,
      values: valuesOf(ctx.keying, events),
      componentRoot: (c) => tracker.find(c),
      renamedComponents: tracker.renamed(),
      lastKeys: tracker.lastKeys(),
      changes: session.changes,
    });
    const roots = tracker.dirtyRoots();
    if (roots.length > 0)
      await this.replayComponents(
        trx,
        ctx,
        roots,
        late.map((l) => ({ ...l, componentId: tracker.find(l.componentId) })),
      );
  }

  /**
   * Recomputes components from their events in canonical order (the events they already hold plus
   * `arriving` ones), replaces their rows and appends the profile changes that turn the old state
   * into the new one. Components share no identifier, so one session replaying all of them in one
   * canonical sequence gives each the same result as replaying it alone — with a fixed number of
   * statements however many components a batch replays.
   */
  async replayComponents(
    trx: Trx,
    ctx: BatchContext,
    componentIds: string[],
    arriving: { event: PreparedEvent; componentId: string }[] = [],
  ): Promise<void> {
    const old: { profile_id: string; component_id: string; state: string }[] = [];
    await inChunks(this.dialect, componentIds, async (chunk) => {
      old.push(...(await trx.selectFrom('identity_profiles').select(['profile_id', 'component_id', 'state']).where('component_id', 'in', chunk).execute()));
    });
    const componentOfProfile = new Map(old.map((r) => [r.profile_id, r.component_id]));
    const oldIds = old.map((r) => r.profile_id);
    const oldAssign = new Map<number, string>();
    await inChunks(this.dialect, oldIds, async (chunk) => {
      const rows = await trx.selectFrom('profile_events').select(['seq', 'profile_id']).where('profile_id', 'in', chunk).execute();
      for (const r of rows) oldAssign.set(Number(r.seq), r.profile_id);
    });
    const arrivingSeqs = new Set(arriving.map((a) => a.event.seq));
    const events = arriving.map((a) => ({ e: a.event, c: a.componentId }));
    for (const e of await this.readPrepared(trx, ctx, [...oldAssign.keys()].filter((s) => !arrivingSeqs.has(s))))
      events.push({ e, c: componentOfProfile.get(oldAssign.get(e.seq)!)! });
    const keyed = events.map((x) => ({ ...x, k: canonicalKey(x.e) })).sort((a, b) => compareKeys(a.k, b.k));
    const session = new ResolutionSession(ctx.session);
    const lastKeys = new Map<string, CanonicalKey>();
    for (const { e, c, k } of keyed) {
      session.process(e, c, k);
      lastKeys.set(c, k);
    }
    for (const id of session.profiles.keys()) session.traitsChanged.add(id);
    this.stats.replays += componentIds.length;
    this.stats.replayedEvents += keyed.length;

    await inChunks(this.dialect, componentIds, async (chunk) => {
      await trx.deleteFrom('identity_identifiers').where('component_id', 'in', chunk).execute();
      await trx.deleteFrom('identity_profiles').where('component_id', 'in', chunk).execute();
      await trx.deleteFrom('identity_merges').where('component_id', 'in', chunk).execute();
      await trx.deleteFrom('identity_decisions').where('component_id', 'in', chunk).execute();
    });
    await inChunks(this.dialect, oldIds, async (chunk) => {
      await trx.deleteFrom('profiles').where('id', 'in', chunk).execute();
      await trx.deleteFrom('profile_search').where('profile_id', 'in', chunk).execute();
    });
    // Compared as JSON text with the replayed states: sealed ones are opened first.
    const oldStates = new Map<string, string>();
    for (const r of old) oldStates.set(r.profile_id, isSealed(r.state) ? JSON.stringify(await openJson(this.dialect, r.state)) : r.state);
    await writeSession(trx, this.dialect, session, {
      now: this.clock.now(),
      defs: ctx.defs,
      codec: ctx.keying.codec,
      values: valuesOf(ctx.keying, keyed.map((x) => x.e)),
      componentRoot: (c) => c,
      renamedComponents: new Map(),
      lastKeys,
      changes: replayChanges(oldAssign, oldStates, session, arrivingSeqs),
    });
  }
}

/**
 * The profile changes that explain a replay to feed consumers: a profile that disappeared was
 * merged into the surviving profile that got most of its events (or deleted); a new profile split
 * from the surviving profile that lost events to it (unmerged); any other profile whose state
 * changed gets `traits`; each arriving event gets `event`.
 */
export function replayChanges(
  oldAssign: Map<number, string>,
  oldStates: Map<string, string>,
  session: ResolutionSession,
  arrivingSeqs: Set<number>,
): ChangeRow[] {
  const newAssign = new Map(session.timeline.map((t) => [t.seq, session.finalId(t.profileId)]));
  const newIds = new Set(session.profiles.keys());
  const flows = new Map<string, Map<string, number>>();
  for (const [seq, from] of oldAssign) {
    const to = newAssign.get(seq);
    if (to === undefined || to === from) continue;
    const m = flows.get(from) ?? flows.set(from, new Map()).get(from)!;
    m.set(to, (m.get(to) ?? 0) + 1);
  }
  const most = (m: Map<string, number> | undefined, accept: (id: string) => boolean) => {
    let best: [string, number] | null = null;
    for (const entry of m ?? []) if (accept(entry[0]) && (!best || entry[1] > best[1] || (entry[1] === best[1] && entry[0] < best[0]))) best = entry;
    return best?.[0];
  };
  const changes: ChangeRow[] = [];
  const row = (profileId: string, kind: ChangeRow['kind'], other: string | null = null, eventSeq: number | null = null) =>
    changes.push({ profileId, kind, eventSeq, otherProfileId: other });
  const survivors = [...oldStates.keys()].filter((id) => newIds.has(id));
  for (const gone of [...oldStates.keys()].filter((id) => !newIds.has(id)).sort()) {
    const into = most(flows.get(gone), (id) => oldStates.has(id));
    if (into) row(into, 'merged', gone);
    else row(gone, 'deleted');
  }
  for (const created of [...newIds].filter((id) => !oldStates.has(id)).sort()) {
    let from: string | undefined;
    let best = 0;
    for (const s of survivors.sort()) {
      const n = flows.get(s)?.get(created) ?? 0;
      if (n > best) [from, best] = [s, n];
    }
    if (from) row(from, 'unmerged', created);
    else row(created, 'traits');
  }
  for (const id of survivors.sort())
    if (oldStates.get(id) !== JSON.stringify(session.profiles.get(id)!.state)) row(id, 'traits');
  for (const seq of [...arrivingSeqs].sort((a, b) => a - b)) {
    const to = newAssign.get(seq);
    if (to) row(to, 'event', null, seq);
  }
  return changes;
}
