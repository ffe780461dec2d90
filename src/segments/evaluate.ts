// The incremental evaluator: decides whether ONE profile matches a rule at `now`, from the profile's
// current state alone. It must mean exactly what compile-sql.ts means (see evaluators.property.test.ts).
import type { Condition, EventSpec, EventCondition, SequenceCondition } from './rule-schema.js';
import type { ProfileState, RuleContext, TimelineEvent } from './profile-state.js';
import { durationMs, inWindow, windowOffsets } from './time.js';
import { compareNumbers, splitPath, testValue, valueAt } from './value-test.js';

export function matchesSpec(e: TimelineEvent, spec: EventSpec): boolean {
  if (e.event !== spec.event) return false;
  return (spec.where ?? []).every((f) => testValue(f, valueAt(e.properties, splitPath(f.property))));
}

export function evaluate(c: Condition, s: ProfileState, now: number, ctx: RuleContext): boolean {
  switch (c.type) {
    case 'and':
      return c.conditions.every((x) => evaluate(x, s, now, ctx));
    case 'or':
      return c.conditions.some((x) => evaluate(x, s, now, ctx));
    case 'not':
      return !evaluate(c.condition, s, now, ctx);
    case 'trait': {
      const onIndex = ctx.encrypted?.indexTest(c);
      if (onIndex) return testValue(onIndex, valueAt(s.piiIndex ?? {}, splitPath(c.path)));
      return testValue(c, valueAt(c.source === 'computed' ? s.computed : s.traits, splitPath(c.path)));
    }
    case 'event':
      return evaluateEvent(c, s.events, now);
    case 'sequence':
      return evaluateSequence(c, s.events, now);
    case 'occurrence': {
      let at: number | undefined;
      for (const e of s.events)
        if (matchesSpec(e, c) && (at === undefined || (c.which === 'first' ? e.ts < at : e.ts > at))) at = e.ts;
      if (at === undefined) return false;
      const cutoff = now - durationMs(c.duration);
      return c.op === 'less_than_ago' ? at > cutoff : at <= cutoff;
    }
    case 'segment':
      return s.memberships.has(c.segmentId);
    case 'tag':
      return s.tags.has(c.tag) || (ctx.tagSegments.get(c.tag) ?? []).some((id) => s.memberships.has(id));
    case 'rfm':
      return s.rfm !== null && compareNumbers(s.rfm[c.score], c.op, c.value);
    case 'rfm_segment':
      return s.rfm !== null && c.in.includes(s.rfm.rfm_segment);
    case 'prediction': {
      const v = s.predictions?.[c.trait];
      return typeof v === 'number' && compareNumbers(v, c.op, c.value);
    }
  }
}

function evaluateEvent(c: EventCondition, events: TimelineEvent[], now: number): boolean {
  const w = windowOffsets(c.window);
  const matching = events.filter((e) => matchesSpec(e, c) && inWindow(e.ts, w, now));
  let ok = true;
  if (c.count) {
    const n = matching.length;
    ok = c.count.op === 'at_least' ? n >= c.count.value : c.count.op === 'at_most' ? n <= c.count.value : n === c.count.value;
  } else if (!c.aggregate) {
    ok = matching.length > 0;
  }
  if (ok && c.aggregate) ok = aggregateMatches(c.aggregate, matching);
  return c.did === false ? !ok : ok;
}

function aggregateMatches(a: NonNullable<EventCondition['aggregate']>, events: TimelineEvent[]): boolean {
  const path = splitPath(a.property);
  const values = events.map((e) => valueAt(e.properties, path)).filter((v): v is number => typeof v === 'number');
  // Like SQL: an aggregate over no numbers is NULL, and NULL never matches.
  if (values.length === 0) return false;
  const sum = values.reduce((x, y) => x + y, 0);
  const result =
    a.fn === 'sum' ? sum : a.fn === 'avg' ? sum / values.length : values.reduce((x, y) => (a.fn === 'min' ? Math.min(x, y) : Math.max(x, y)));
  return compareNumbers(result, a.op, a.value);
}

/** Whether `then` happened within `within` after the `first` event e1 (another event, same or later ts). */
export const followedBy = (e1: TimelineEvent, c: SequenceCondition, events: TimelineEvent[]) => {
  const limit = e1.ts + durationMs(c.within);
  return events.some((e2) => e2.seq !== e1.seq && e2.ts >= e1.ts && e2.ts <= limit && matchesSpec(e2, c.then));
};

function evaluateSequence(c: SequenceCondition, events: TimelineEvent[], now: number): boolean {
  const w = windowOffsets(c.window);
  const within = durationMs(c.within);
  return events.some((e1) => {
    if (!matchesSpec(e1, c.first) || !inWindow(e1.ts, w, now)) return false;
    // Abandonment is only known once the whole `within` period has passed.
    if (c.mode === 'followed') return followedBy(e1, c, events);
    return e1.ts + within <= now && !followedBy(e1, c, events);
  });
}
