// The merge decision for one event, a pure function of the current graph, the event's identifiers,
// the per-type limits and the "do not link" separations. Identifiers are walked highest priority
// first; each one either joins the event's profile (attaching a new identifier or merging the profile
// that holds it) or — when the union would break a type's limit or a separation — is dropped.
import { splitKey, type Identifier } from './identifiers.js';
import { profileIdFor } from './deterministic-ids.js';

export interface GraphView {
  /** The profile holding the identifier; null/undefined when no profile holds it. */
  ownerOf(key: string): string | null | undefined;
  identifiersOf(profileId: string): Iterable<string>;
}

/** identifier key → keys it must never share a profile with (symmetric: both directions are listed). */
export type Separations = ReadonlyMap<string, ReadonlySet<string>>;

export type DropReason = 'limit' | 'separated' | 'owned_elsewhere';

export interface Resolution {
  /** The profile the event belongs to; null only when the event has no identifiers. */
  profileId: string | null;
  created: boolean;
  /** Identifiers held by no profile that join profileId. */
  attach: string[];
  /** Profiles merged into profileId, in the order they were met. */
  merges: string[];
  dropped: { key: string; reason: DropReason }[];
}

export function resolveEvent(
  graph: GraphView,
  ids: readonly Identifier[],
  /** The event's time, part of a new profile's id. */
  ts: number,
  limits: ReadonlyMap<string, number | null>,
  separations: Separations,
): Resolution {
  let target: string | null = null;
  const union = new Set<string>();
  const counts = new Map<string, number>();
  const attach: string[] = [];
  const merges: string[] = [];
  const dropped: Resolution['dropped'] = [];

  const conflict = (incoming: string[]): DropReason | null => {
    const added = new Map<string, number>();
    for (const key of incoming) {
      const { type } = splitKey(key);
      added.set(type, (added.get(type) ?? 0) + 1);
    }
    for (const [type, n] of added) {
      const limit = limits.get(type) ?? null;
      if (limit !== null && (counts.get(type) ?? 0) + n > limit) return 'limit';
    }
    if (separations.size > 0)
      for (const key of incoming) {
        const apart = separations.get(key);
        if (apart) for (const other of apart) if (union.has(other)) return 'separated';
      }
    return null;
  };
  const take = (incoming: string[]) => {
    for (const key of incoming) {
      union.add(key);
      const { type } = splitKey(key);
      counts.set(type, (counts.get(type) ?? 0) + 1);
    }
  };

  for (const id of ids) {
    if (union.has(id.key)) continue;
    const owner = graph.ownerOf(id.key) ?? null;
    if (!id.link && owner !== null && union.size > 0) {
      // A lookup identifier (order id) already on another profile never pulls profiles together;
      // only an event carrying nothing else is attributed through it.
      dropped.push({ key: id.key, reason: 'owned_elsewhere' });
      continue;
    }
    const incoming = owner === null ? [id.key] : [...graph.identifiersOf(owner)];
    const reason = conflict(incoming);
    if (reason) {
      dropped.push({ key: id.key, reason });
      continue;
    }
    take(incoming);
    if (owner === null) attach.push(id.key);
    else if (target === null) target = owner;
    else merges.push(owner);
  }

  if (target === null && attach.length === 0) return { profileId: null, created: false, attach, merges, dropped };
  const created = target === null;
  // The new profile is named after its highest-priority identifier: deterministic under replay.
  return { profileId: target ?? profileIdFor(attach[0], ts), created, attach, merges, dropped };
}
