// A journey definition as a graph for the canvas: the trigger, one node per step, an edge per way on
// (next, timeout, each branch, else, each split variant), laid out in layers from the first step.
import type { JourneyDefinition, JourneyStep } from '../../api/types';

export interface FlowNode {
  id: string;
  kind: 'trigger' | JourneyStep['type'];
  x: number;
  y: number;
}
export interface FlowEdge {
  id: string;
  source: string;
  target: string;
  /** What the edge means: next, timeout, branch n, else, or a variant name. */
  label: string;
}

export const TRIGGER_ID = '__trigger';

/** The steps this step leads to, with the edge labels. */
export function exits(step: JourneyStep): { target: string; label: string }[] {
  switch (step.type) {
    case 'wait':
    case 'wait_until':
    case 'send':
    case 'update_profile':
      return [{ target: step.next, label: 'next' }];
    case 'wait_for_event':
      return [
        { target: step.next, label: 'event' },
        { target: step.timeoutNext, label: 'timeout' },
      ];
    case 'branch':
      return [...step.branches.map((b, i) => ({ target: b.next, label: `branch ${i + 1}` })), { target: step.else, label: 'else' }];
    case 'split':
      return step.variants.map((v) => ({ target: v.next, label: `${v.name} ${v.percent}%` }));
    case 'exit':
      return [];
  }
}

export function toGraph(def: JourneyDefinition): { nodes: FlowNode[]; edges: FlowEdge[] } {
  const byId = new Map(def.steps.map((s) => [s.id, s]));
  const depth = new Map<string, number>();
  const queue: string[] = [];
  if (def.steps[0]) {
    depth.set(def.steps[0].id, 1);
    queue.push(def.steps[0].id);
  }
  while (queue.length) {
    const id = queue.shift()!;
    for (const e of exits(byId.get(id)!)) {
      if (!byId.has(e.target) || depth.has(e.target)) continue;
      depth.set(e.target, depth.get(id)! + 1);
      queue.push(e.target);
    }
  }
  // Unreachable steps (the validator names them) go in a last layer, so they still show.
  const maxDepth = Math.max(1, ...depth.values());
  for (const s of def.steps) if (!depth.has(s.id)) depth.set(s.id, maxDepth + 1);
  const perLayer = new Map<number, number>();
  const nodes: FlowNode[] = [{ id: TRIGGER_ID, kind: 'trigger', x: 0, y: 0 }];
  for (const s of def.steps) {
    const d = depth.get(s.id)!;
    const i = perLayer.get(d) ?? 0;
    perLayer.set(d, i + 1);
    nodes.push({ id: s.id, kind: s.type, x: i * 260, y: d * 130 });
  }
  const edges: FlowEdge[] = def.steps[0] ? [{ id: `${TRIGGER_ID}->${def.steps[0].id}`, source: TRIGGER_ID, target: def.steps[0].id, label: '' }] : [];
  for (const s of def.steps) for (const [i, e] of exits(s).entries()) if (byId.has(e.target)) edges.push({ id: `${s.id}-${i}->${e.target}`, source: s.id, target: e.target, label: e.label });
  return { nodes, edges };
}
