// Connected components of events (events sharing any identifier, dropped ones included) are the unit
// of canonical replay. This tracks, for one batch, which component each event falls in, unions the
// components an event links, and tells whether the event is late: it sorts before the canonically last
// event already applied to one of its components, so that component must be replayed. Pure.
import { componentIdFor } from './deterministic-ids.js';

/** Canonical event order: event time, then source and message id (stable under any arrival order). */
export interface CanonicalKey {
  ts: number;
  tie: string;
}

export const canonicalKey = (e: { ts: number; sourceId: string; messageId: string }): CanonicalKey => ({
  ts: e.ts,
  // \u0001 sorts before any printable character, so the pair compares as a tuple.
  tie: `${e.sourceId}\u0001${e.messageId}`,
});

export const compareKeys = (a: CanonicalKey, b: CanonicalKey) => (a.ts !== b.ts ? a.ts - b.ts : a.tie < b.tie ? -1 : a.tie > b.tie ? 1 : 0);

export class ComponentTracker {
  private readonly parent = new Map<string, string>();
  private readonly dirty = new Set<string>();

  constructor(
    /** Canonically last applied event per known component (loaded for this batch). */
    private readonly last: Map<string, CanonicalKey>,
    /** identifier key → component, for the batch's identifiers; updated as events are routed. */
    private readonly componentOf: Map<string, string>,
  ) {}

  find(id: string): string {
    let root = id;
    for (let p = this.parent.get(root); p !== undefined; p = this.parent.get(root)) root = p;
    if (root !== id) this.parent.set(id, root);
    return root;
  }

  /**
   * Places an event: its component (after linking) and whether it must go through a replay. An event
   * that sorts before its one component's last applied event is late unless `foldsInAnyOrder` says it
   * cannot change the graph there (all its identifiers were in one profile before it).
   */
  route(keys: readonly string[], key: CanonicalKey, foldsInAnyOrder: () => boolean = () => false): { componentId: string; late: boolean } {
    const found = new Set<string>();
    for (const k of keys) {
      const c = this.componentOf.get(k);
      if (c !== undefined) found.add(this.find(c));
    }
    const roots = [...found].sort();
    const componentId = roots[0] ?? componentIdFor(keys[0], key.ts);
    let late = false;
    for (const c of roots) {
      const last = this.last.get(c);
      if (this.dirty.has(c) || (last && compareKeys(key, last) < 0)) late = true;
    }
    // One clean component, earlier than its last event, nothing to link: maybe no replay needed.
    if (late && roots.length === 1 && !this.dirty.has(componentId) && foldsInAnyOrder()) return { componentId, late: false };
    for (const c of roots.slice(1)) {
      this.parent.set(c, componentId);
      const last = this.last.get(c);
      const mine = this.last.get(componentId);
      if (last && (!mine || compareKeys(last, mine) > 0)) this.last.set(componentId, last);
      this.last.delete(c);
      if (this.dirty.delete(c)) late = true;
    }
    for (const k of keys) this.componentOf.set(k, componentId);
    if (late) this.dirty.add(componentId);
    else {
      const mine = this.last.get(componentId);
      if (!mine || compareKeys(key, mine) > 0) this.last.set(componentId, key);
    }
    return { componentId, late };
  }

  /** Components to replay (roots). */
  dirtyRoots(): string[] {
    return [...new Set([...this.dirty].map((c) => this.find(c)))];
  }

  /** Components absorbed into another during the batch: old id → root. */
  renamed(): Map<string, string> {
    const out = new Map<string, string>();
    for (const c of this.parent.keys()) out.set(c, this.find(c));
    return out;
  }

  /** Canonically last event of every live root touched (to persist). */
  lastKeys(): Map<string, CanonicalKey> {
    const out = new Map<string, CanonicalKey>();
    for (const [c, k] of this.last) if (this.find(c) === c) out.set(c, k);
    return out;
  }
}
