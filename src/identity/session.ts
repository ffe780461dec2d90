// Applies events to an in-memory slice of the identity graph and the profiles' states: the fast path
// of the stage (a slice loaded from the store for one batch) and the canonical replay of a component
// (an empty slice fed the component's events in canonical order) run this same code, which is why the
// two agree. No I/O: the caller loads the slice and writes the recorded outputs.
import { emptyState, foldEvent, combineStates, type FoldContext, type ProfileState } from '../profiles/fold.js';
import type { FoldEvent } from '../profiles/fold.js';
import type { Identifier } from './identifiers.js';
import { resolveEvent, type GraphView, type Separations } from './resolve.js';
import { compareKeys, type CanonicalKey } from './components.js';

export interface PreparedEvent extends FoldEvent {
  /** `properties` as stored on the timeline (prepared once, by the prefetch thread when there is one). */
  propertiesJson: string;
  seq: number;
  messageId: string;
  ids: Identifier[];
  invalid: { type: string; raw: string }[];
}

export interface IdentifierRecord {
  profileId: string | null;
  componentId: string;
  /** The canonical key of the event from which the identifier is in profileId; null: unknown or none. */
  since: CanonicalKey | null;
}

export interface ProfileRecord {
  id: string;
  componentId: string;
  identifiers: Set<string>;
  state: ProfileState;
}

export interface SessionContext {
  fold: FoldContext;
  limits: ReadonlyMap<string, number | null>;
  separations: Separations;
}

export interface ChangeRow {
  profileId: string;
  kind: 'event' | 'traits' | 'merged' | 'unmerged' | 'deleted';
  eventSeq: number | null;
  otherProfileId: string | null;
}

export interface MergeRow {
  componentId: string;
  into: string;
  merged: string;
  eventSeq: number;
  identifiers: string[];
  at: number;
}

export interface DecisionRow {
  componentId: string | null;
  eventSeq: number;
  profileId: string | null;
  identifier: string;
  reason: string;
  at: number;
}

export interface TimelineRow {
  seq: number;
  profileId: string;
  type: string;
  event: string | null;
  ts: number;
  propertiesJson: string;
}

export class ResolutionSession implements GraphView {
  readonly timeline: TimelineRow[] = [];
  readonly changes: ChangeRow[] = [];
  readonly merges: MergeRow[] = [];
  readonly decisions: DecisionRow[] = [];
  /** merged profile → the profile it was merged into (follow with finalId). */
  readonly mergedInto = new Map<string, string>();
  readonly touchedProfiles = new Set<string>();
  readonly traitsChanged = new Set<string>();
  readonly touchedKeys = new Set<string>();

  constructor(
    private readonly ctx: SessionContext,
    readonly identifiers = new Map<string, IdentifierRecord>(),
    readonly profiles = new Map<string, ProfileRecord>(),
  ) {}

  ownerOf(key: string) {
    return this.identifiers.get(key)?.profileId;
  }

  identifiersOf(profileId: string) {
    return this.profiles.get(profileId)!.identifiers;
  }

  finalId(profileId: string): string {
    let id = profileId;
    for (let next = this.mergedInto.get(id); next !== undefined; next = this.mergedInto.get(id)) id = next;
    return id;
  }

  /**
   * Whether every identifier of an event at `key` was in one and the same profile before `key`. Such an
   * event resolves to that profile with no attach, merge or drop at its canonical position as at any
   * later one, and profile states are a commutative fold: applied out of order, it gives the state a
   * replay in canonical order would.
   */
  heldBefore(ids: readonly Identifier[], key: CanonicalKey): boolean {
    let owner: string | null = null;
    for (const id of ids) {
      const r = this.identifiers.get(id.key);
      if (!r || r.profileId === null || r.since === null || compareKeys(r.since, key) >= 0) return false;
      if (owner !== null && r.profileId !== owner) return false;
      owner = r.profileId;
    }
    return owner !== null;
  }

  /** Applies one event, `key` its canonical key. */
  process(e: PreparedEvent, componentId: string, key: CanonicalKey): void {
    for (const bad of e.invalid)
      this.decisions.push({ componentId, eventSeq: e.seq, profileId: null, identifier: `${bad.type}:${bad.raw}`, reason: 'invalid_value', at: e.ts });
    const r = resolveEvent(this, e.ids, e.ts, this.ctx.limits, this.ctx.separations);
    if (r.profileId === null) {
      this.decisions.push({ componentId: null, eventSeq: e.seq, profileId: null, identifier: '', reason: 'no_identifiers', at: e.ts });
      return;
    }
    let profile = this.profiles.get(r.profileId);
    if (!profile) {
      profile = { id: r.profileId, componentId, identifiers: new Set(), state: emptyState() };
      this.profiles.set(profile.id, profile);
    }
    profile.componentId = componentId;
    const dropped = new Set(r.dropped.map((d) => d.key));
    const linked = e.ids.filter((id) => !dropped.has(id.key)).map((id) => id.key);
    for (const mergedId of r.merges) {
      const other = this.profiles.get(mergedId)!;
      combineStates(profile.state, other.state, this.ctx.fold);
      for (const id of other.identifiers) this.own(id, profile, componentId, key);
      this.profiles.delete(mergedId);
      this.touchedProfiles.delete(mergedId);
      this.mergedInto.set(mergedId, profile.id);
      this.merges.push({ componentId, into: profile.id, merged: mergedId, eventSeq: e.seq, identifiers: linked, at: e.ts });
      this.changes.push({ profileId: profile.id, kind: 'merged', eventSeq: e.seq, otherProfileId: mergedId });
      this.traitsChanged.add(profile.id);
    }
    for (const id of r.attach) this.own(id, profile, componentId, key);
    for (const d of r.dropped) {
      const known = this.identifiers.get(d.key);
      if (!known) this.identifiers.set(d.key, { profileId: null, componentId, since: null });
      else known.componentId = componentId;
      this.touchedKeys.add(d.key);
      this.decisions.push({ componentId, eventSeq: e.seq, profileId: profile.id, identifier: d.key, reason: d.reason, at: e.ts });
    }
    for (const id of e.ids) {
      const known = this.identifiers.get(id.key)!;
      if (known.componentId !== componentId) {
        known.componentId = componentId;
        this.touchedKeys.add(id.key);
      }
    }
    const traitsChanged = foldEvent(profile.state, e, this.ctx.fold);
    this.touchedProfiles.add(profile.id);
    this.timeline.push({ seq: e.seq, profileId: profile.id, type: e.type, event: e.event, ts: e.ts, propertiesJson: e.propertiesJson });
    this.changes.push({ profileId: profile.id, kind: 'event', eventSeq: e.seq, otherProfileId: null });
    if (traitsChanged) {
      this.traitsChanged.add(profile.id);
      this.changes.push({ profileId: profile.id, kind: 'traits', eventSeq: e.seq, otherProfileId: null });
    }
  }

  private own(key: string, profile: ProfileRecord, componentId: string, since: CanonicalKey) {
    profile.identifiers.add(key);
    this.identifiers.set(key, { profileId: profile.id, componentId, since });
    this.touchedKeys.add(key);
  }
}
