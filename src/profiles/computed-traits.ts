// Computed traits as mergeable aggregates: each definition keeps a small state per profile that folds
// one event at a time and combines with another profile's state on a merge. Every operation is
// commutative (ties broken by value), so a profile's values depend only on its set of events, never
// on their order. Windowed and days-since values decay with time and are evaluated at read time.
import type { ComputedTraitDefinition } from './schema.js';

export interface AggState {
  n?: number;
  sum?: number;
  v?: unknown;
  ts?: number;
  freq?: Record<string, number>;
}

export interface FoldEvent {
  type: string;
  event: string | null;
  ts: number;
  sourceId: string;
  sourceType: string | null;
  /** properties (track/page/screen) or traits (identify/group). */
  properties: Record<string, unknown>;
}

const DAY_MS = 86_400_000;

/** Definitions whose state is maintained as events arrive (all-time ones). */
export const isIncremental = (def: ComputedTraitDefinition) => def.windowDays === undefined;

/** Time-independent values are stored in profiles.computed; the others are computed when read. */
export const isStored = (def: ComputedTraitDefinition) => def.windowDays === undefined && def.kind !== 'days_since_last';

export function propertyAt(properties: Record<string, unknown>, path: string): unknown {
  let cur: unknown = properties;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

const numeric = (v: unknown): number | undefined => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
};

/** Orders (ts, value) pairs totally, so first/last do not depend on arrival order. */
const after = (ts: number, v: unknown, than: AggState) =>
  than.ts === undefined || ts > than.ts || (ts === than.ts && JSON.stringify(v) > JSON.stringify(than.v));

export function foldComputed(def: ComputedTraitDefinition, state: AggState | undefined, e: FoldEvent): AggState | undefined {
  if (def.event !== undefined && e.event !== def.event) return state;
  const raw = def.property === undefined ? undefined : propertyAt(e.properties, def.property);
  if (def.property !== undefined && (raw === undefined || raw === null)) return state;
  return combineComputed(def, state, single(def, e.ts, raw));
}

function single(def: ComputedTraitDefinition, ts: number, raw: unknown): AggState | undefined {
  switch (def.kind) {
    case 'count':
      return { n: 1 };
    case 'sum':
    case 'avg': {
      const n = numeric(raw);
      return n === undefined ? undefined : { n: 1, sum: n };
    }
    case 'min':
    case 'max': {
      const n = numeric(raw);
      return n === undefined ? undefined : { v: n };
    }
    case 'first':
    case 'last':
    case 'days_since_last':
      return { ts, v: def.property === undefined ? null : raw };
    case 'most_frequent':
      return { freq: { [JSON.stringify(raw)]: 1 } };
  }
}

export function combineComputed(def: ComputedTraitDefinition, a: AggState | undefined, b: AggState | undefined): AggState | undefined {
  if (!a) return b;
  if (!b) return a;
  switch (def.kind) {
    case 'count':
      return { n: a.n! + b.n! };
    case 'sum':
    case 'avg':
      return { n: a.n! + b.n!, sum: a.sum! + b.sum! };
    case 'min':
      return { v: Math.min(a.v as number, b.v as number) };
    case 'max':
      return { v: Math.max(a.v as number, b.v as number) };
    case 'first':
      return after(b.ts!, b.v, a) ? a : b;
    case 'last':
    case 'days_since_last':
      return after(b.ts!, b.v, a) ? b : a;
    case 'most_frequent': {
      const freq = { ...a.freq };
      for (const [k, n] of Object.entries(b.freq!)) freq[k] = (freq[k] ?? 0) + n;
      return { freq };
    }
  }
}

export function computedValue(def: ComputedTraitDefinition, state: AggState | undefined, now: number): unknown {
  if (!state) return def.kind === 'count' || def.kind === 'sum' ? 0 : null;
  switch (def.kind) {
    case 'count':
      return state.n;
    case 'sum':
      return round(state.sum!);
    case 'avg':
      return round(state.sum! / state.n!);
    case 'min':
    case 'max':
      return state.v;
    case 'first':
    case 'last':
      return def.property === undefined ? new Date(state.ts!).toISOString() : state.v;
    case 'days_since_last':
      return Math.floor((now - state.ts!) / DAY_MS);
    case 'most_frequent': {
      let best: [string, number] | null = null;
      for (const entry of Object.entries(state.freq!))
        if (!best || entry[1] > best[1] || (entry[1] === best[1] && entry[0] < best[0])) best = entry;
      return best ? JSON.parse(best[0]) : null;
    }
  }
}

/** Floating-point sums differ in the last bits with addition order; 9 decimals hide that. */
const round = (n: number) => Math.round(n * 1e9) / 1e9;

/** A windowed definition over the given events (those of one profile), as of `now`. */
export function windowedValue(def: ComputedTraitDefinition, events: Iterable<FoldEvent>, now: number): unknown {
  const from = now - def.windowDays! * DAY_MS;
  let state: AggState | undefined;
  for (const e of events) if (e.ts >= from && e.ts <= now) state = foldComputed(def, state, e);
  return computedValue(def, state, now);
}
