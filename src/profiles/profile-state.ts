// A profile's derived state as a commutative fold over its events: trait values with provenance,
// computed-trait aggregates and the first/last seen summary. Two profiles' states combine on a merge;
// after an unmerge the states are refolded from the events. Precedence of trait values: configured
// source precedence first, then the newer event, then the larger value (only to be deterministic).
import { combineComputed, foldComputed, isIncremental, type AggState, type FoldEvent } from './computed-traits.js';
import type { ComputedTraitDefinition } from './schema.js';

export interface TraitEntry {
  value: unknown;
  ts: number;
  sourceId: string;
  sourceType: string | null;
}

export interface ProfileState {
  traits: Record<string, TraitEntry>;
  aggs: Record<string, AggState>;
  firstSeen: number | null;
  lastSeen: number | null;
  eventCount: number;
}

export interface FoldContext {
  defs: readonly ComputedTraitDefinition[];
  /** trait name or '*' → source ids / source types, most trusted first. */
  precedence: Readonly<Record<string, readonly string[]>>;
}

export const emptyState = (): ProfileState => ({ traits: {}, aggs: {}, firstSeen: null, lastSeen: null, eventCount: 0 });

function rank(trait: string, entry: TraitEntry, precedence: FoldContext['precedence']): number {
  const list = precedence[trait] ?? precedence['*'];
  if (!list) return 0;
  const i = list.findIndex((s) => s === entry.sourceId || s === entry.sourceType);
  return i === -1 ? list.length : i;
}

/** Whether `candidate` should replace `current` as the value of `trait`. */
export function traitWins(trait: string, candidate: TraitEntry, current: TraitEntry | undefined, precedence: FoldContext['precedence']): boolean {
  if (!current) return true;
  const rc = rank(trait, candidate, precedence);
  const ro = rank(trait, current, precedence);
  if (rc !== ro) return rc < ro;
  if (candidate.ts !== current.ts) return candidate.ts > current.ts;
  return JSON.stringify(candidate.value) > JSON.stringify(current.value);
}

/** Folds one event into the state (in place); returns whether a trait value changed. */
export function foldEvent(state: ProfileState, e: FoldEvent, ctx: FoldContext): boolean {
  state.eventCount += 1;
  state.firstSeen = state.firstSeen === null ? e.ts : Math.min(state.firstSeen, e.ts);
  state.lastSeen = state.lastSeen === null ? e.ts : Math.max(state.lastSeen, e.ts);
  for (const def of ctx.defs) {
    if (!isIncremental(def)) continue;
    const next = foldComputed(def, state.aggs[def.name], e);
    if (next) state.aggs[def.name] = next;
  }
  if (e.type !== 'identify') return false;
  let changed = false;
  for (const [name, value] of Object.entries(e.properties)) {
    const candidate: TraitEntry = { value, ts: e.ts, sourceId: e.sourceId, sourceType: e.sourceType };
    if (traitWins(name, candidate, state.traits[name], ctx.precedence)) {
      if (!changed && JSON.stringify(state.traits[name]?.value) !== JSON.stringify(value)) changed = true;
      state.traits[name] = candidate;
    }
  }
  return changed;
}

/** Combines `from` into `into` (in place), as if `into` had seen both profiles' events. */
export function combineStates(into: ProfileState, from: ProfileState, ctx: FoldContext): void {
  into.eventCount += from.eventCount;
  if (from.firstSeen !== null) into.firstSeen = into.firstSeen === null ? from.firstSeen : Math.min(into.firstSeen, from.firstSeen);
  if (from.lastSeen !== null) into.lastSeen = into.lastSeen === null ? from.lastSeen : Math.max(into.lastSeen, from.lastSeen);
  for (const def of ctx.defs) {
    if (!isIncremental(def)) continue;
    const next = combineComputed(def, into.aggs[def.name], from.aggs[def.name]);
    if (next) into.aggs[def.name] = next;
  }
  for (const [name, entry] of Object.entries(from.traits))
    if (traitWins(name, entry, into.traits[name], ctx.precedence)) into.traits[name] = entry;
}

/** The plain trait values written to profiles.traits. */
export const traitValues = (state: ProfileState) =>
  Object.fromEntries(Object.entries(state.traits).map(([k, t]) => [k, t.value]));
