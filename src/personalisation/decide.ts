// Pure decisions: a placement's rules in order against what is known about a visitor; the first rule
// whose conditions all hold answers, else the default. A rule with variants assigns the visitor to
// one by a stable hash of (placement, rule, visitor), so the same person sees the same variant.
import { createHash } from 'node:crypto';
import { splitPath, testValue, valueAt } from '../segments/index.js';
import type { Decision, Placement, PlacementCondition, PlacementRule } from './schema.js';

export interface VisitorFacts {
  known: boolean;
  /** Traits with computed traits over them. */
  traits: Record<string, unknown>;
  segments: ReadonlySet<string>;
  tags: ReadonlySet<string>;
  /** Count of each (event, days) the placements ask about: key `eventKey(event, days)`. */
  eventCounts: ReadonlyMap<string, number>;
}

export const eventKey = (event: string, days: number) => `${days}|${event}`;

/** The (event, days) pairs whose counts the placements' rules need. */
export function eventWindows(placements: Pick<Placement, 'rules'>[]): { event: string; days: number }[] {
  const out = new Map<string, { event: string; days: number }>();
  for (const p of placements)
    for (const r of p.rules) for (const c of r.conditions) if (c.type === 'event') out.set(eventKey(c.event, c.withinDays), { event: c.event, days: c.withinDays });
  return [...out.values()];
}

export function holds(c: PlacementCondition, facts: VisitorFacts, context: Record<string, unknown>): boolean {
  switch (c.type) {
    case 'trait':
      return testValue(c.test, valueAt(facts.traits, splitPath(c.test.property)));
    case 'context':
      return testValue(c.test, valueAt(context, splitPath(c.test.property)));
    case 'segment':
      return facts.segments.has(c.segmentId) !== Boolean(c.not);
    case 'tag':
      return facts.tags.has(c.tag) !== Boolean(c.not);
    case 'event':
      return ((facts.eventCounts.get(eventKey(c.event, c.withinDays)) ?? 0) >= (c.minCount ?? 1)) !== Boolean(c.not);
    case 'known':
      return facts.known === c.value;
  }
}

/** A number in [0, 100) fixed for (placement, rule, visitor). */
export function bucket(placementId: string, rule: string, visitor: string): number {
  const h = createHash('sha256').update(`${placementId}\u0000${rule}\u0000${visitor}`).digest();
  return (h.readUInt32BE(0) / 2 ** 32) * 100;
}

function pickVariant(rule: PlacementRule, placementId: string, visitor: string) {
  const variants = rule.variants ?? [];
  const b = bucket(placementId, rule.name, visitor);
  let acc = 0;
  for (const v of variants) {
    acc += v.weight;
    if (b < acc) return v;
  }
  return variants[variants.length - 1];
}

export function decide(p: Placement, facts: VisitorFacts, context: Record<string, unknown>, visitor: string): Decision {
  for (const rule of p.rules) {
    if (!rule.conditions.every((c) => holds(c, facts, context))) continue;
    if (rule.variants?.length) {
      const v = pickVariant(rule, p.id, visitor);
      return { placement: p.name, rule: rule.name, variant: v.name, content: v.content };
    }
    return { placement: p.name, rule: rule.name, variant: null, content: rule.content ?? null };
  }
  return { placement: p.name, rule: null, variant: null, content: p.default ?? null };
}

/** What is wrong with a placement's rules (beyond the schema), naming the rule; empty when fine. */
export function ruleProblems(rules: PlacementRule[]): { rule: string; problem: string }[] {
  const out: { rule: string; problem: string }[] = [];
  const names = new Set<string>();
  for (const r of rules) {
    if (names.has(r.name)) out.push({ rule: r.name, problem: 'two rules have this name' });
    names.add(r.name);
    const hasVariants = (r.variants?.length ?? 0) > 0;
    if (hasVariants === (r.content !== undefined)) out.push({ rule: r.name, problem: 'give either content or variants' });
    if (hasVariants) {
      const sum = r.variants!.reduce((a, v) => a + v.weight, 0);
      if (sum !== 100) out.push({ rule: r.name, problem: `variant weights sum to ${sum}, not 100` });
      if (new Set(r.variants!.map((v) => v.name)).size !== r.variants!.length) out.push({ rule: r.name, problem: 'two variants have the same name' });
    }
  }
  return out;
}
