// The set of segment definitions as the evaluators need it: validated, in dependency order (a segment
// after every segment it refers to, directly or through a rule-based tag), with no cycles.
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { AppError } from '../shared/errors.js';
import { Rule, type Condition } from './rule-schema.js';
import type { RuleContext } from './profile-state.js';
import { windowOffsets } from './time.js';

export interface SegmentDef {
  id: string;
  name: string;
  description: string | null;
  rule: Rule;
  tag: string | null;
  template: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface Catalog extends RuleContext {
  /** Dependencies first. */
  ordered: SegmentDef[];
  byId: Map<string, SegmentDef>;
  /** Event names any rule looks at: the only events the incremental evaluator loads. */
  eventNames: string[];
}

const checkRule = TypeCompiler.Compile(Rule);
const MAX_NODES = 500;

/** Checks a rule's shape and meaning; throws `invalid_rule` (422) naming the first problem. */
export function parseRule(input: unknown): Rule {
  if (!checkRule.Check(input)) {
    const first = checkRule.Errors(input).First();
    throw new AppError('invalid_rule', 422, `rule${first?.path ?? ''} ${first?.message ?? 'is invalid'}`, {
      path: first?.path ?? '',
    });
  }
  let nodes = 0;
  walk(input.root, (c) => {
    if (++nodes > MAX_NODES) throw new AppError('invalid_rule', 422, `a rule may have at most ${MAX_NODES} conditions`);
    const window = c.type === 'event' || c.type === 'sequence' ? windowOffsets(c.window) : undefined;
    if (window && window.fromMs < window.toMs)
      throw new AppError('invalid_rule', 422, 'a window `from` must be at least as far back as its `to`');
  });
  return input;
}

export function walk(c: Condition, visit: (c: Condition) => void) {
  visit(c);
  if (c.type === 'and' || c.type === 'or') c.conditions.forEach((x) => walk(x, visit));
  else if (c.type === 'not') walk(c.condition, visit);
}

export function references(rule: Rule) {
  const segments = new Set<string>();
  const tags = new Set<string>();
  let rfm = false;
  let predictions = false;
  const events = new Set<string>();
  walk(rule.root, (c) => {
    if (c.type === 'segment') segments.add(c.segmentId);
    else if (c.type === 'tag') tags.add(c.tag);
    else if (c.type === 'rfm' || c.type === 'rfm_segment') rfm = true;
    else if (c.type === 'prediction') predictions = true;
    else if (c.type === 'event' || c.type === 'occurrence') events.add(c.event);
    else if (c.type === 'sequence') events.add(c.first.event).add(c.then.event);
  });
  return { segments, tags, rfm, predictions, events };
}

/** Orders the definitions; unknown segment references and cycles are 422s. */
export function buildCatalog(defs: SegmentDef[], encrypted?: RuleContext['encrypted']): Catalog {
  const byId = new Map(defs.map((d) => [d.id, d]));
  const tagSegments = new Map<string, string[]>();
  for (const d of defs) if (d.tag) tagSegments.set(d.tag, [...(tagSegments.get(d.tag) ?? []), d.id]);
  const deps = (d: SegmentDef) => {
    const r = references(d.rule);
    for (const id of r.segments)
      if (!byId.has(id)) throw new AppError('unknown_segment', 422, `segment ${d.name} refers to unknown segment ${id}`, { segmentId: id });
    return [...r.segments, ...[...r.tags].flatMap((t) => tagSegments.get(t) ?? [])];
  };
  const ordered: SegmentDef[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (d: SegmentDef, path: string[]) => {
    if (state.get(d.id) === 'done') return;
    if (state.get(d.id) === 'visiting')
      throw new AppError('segment_cycle', 422, `segments refer to each other in a cycle: ${[...path, d.name].join(' → ')}`);
    state.set(d.id, 'visiting');
    for (const id of deps(d)) visit(byId.get(id)!, [...path, d.name]);
    state.set(d.id, 'done');
    ordered.push(d);
  };
  for (const d of defs) visit(d, []);
  const eventNames = new Set<string>();
  for (const d of defs) for (const e of references(d.rule).events) eventNames.add(e);
  return { ordered, byId, tagSegments, encrypted, eventNames: [...eventNames] };
}

/** `ids` and every segment that depends on them, transitively, in dependency order. */
export function withDependents(catalog: Catalog, ids: Iterable<string>): SegmentDef[] {
  const affected = new Set(ids);
  for (const d of catalog.ordered) {
    const r = references(d.rule);
    const uses = [...r.segments, ...[...r.tags].flatMap((t) => catalog.tagSegments.get(t) ?? [])];
    if (uses.some((id) => affected.has(id))) affected.add(d.id);
  }
  return catalog.ordered.filter((d) => affected.has(d.id));
}
