// Checks a journey definition before it is saved or activated (pure, over lookups of what exists):
// the schema, the step graph (unique ids, known targets, no cycles, every step reachable from the
// first), references (segments, destinations of the right kind, coupon pools), durations, splits,
// time zones and message templates. Every issue names its JSON path and step.
import { Value } from '@sinclair/typebox/value';
import { Liquid } from 'liquidjs';
import { isValidTimeZone } from './local-time.js';
import { durationMs, JourneyDefinition, type Channel, type Duration, type Step, type ValidationIssue } from './schema.js';

/** What exists, for reference checks: destination id → its kind and connector. */
export interface References {
  segments: Set<string>;
  destinations: Map<string, { kind: string; connector: string }>;
  couponPools: Set<string>;
}

/** Which connectors carry each channel. */
export const CHANNEL_CONNECTORS: Record<Channel, string[]> = {
  email: ['smtp'],
  line: ['line'],
  push: ['fcm'],
  webhook: ['webhook'],
  audience: ['meta', 'google_ads'],
};

const liquid = new Liquid();
const MAX_WAIT_MS = 366 * 86_400_000;

/** The steps a step can lead to. */
export function successors(step: Step): string[] {
  switch (step.type) {
    case 'exit':
      return [];
    case 'branch':
      return [...step.branches.map((b) => b.next), step.else];
    case 'split':
      return step.variants.map((v) => v.next);
    case 'wait_for_event':
      return [step.next, step.timeoutNext];
    default:
      return [step.next];
  }
}

export function validateDefinition(input: unknown, refs: References): ValidationIssue[] {
  if (!Value.Check(JourneyDefinition, input))
    return [...Value.Errors(JourneyDefinition, input)].slice(0, 20).map((e) => ({ path: e.path || '/', stepId: stepAt(input, e.path), code: 'schema' as const, message: e.message }));
  const def = input as JourneyDefinition;
  const issues: ValidationIssue[] = [];
  const add = (path: string, stepId: string | null, code: ValidationIssue['code'], message: string) => issues.push({ path, stepId, code, message });

  const index = new Map<string, number>();
  def.steps.forEach((s, i) => {
    if (index.has(s.id)) add(`/steps/${i}/id`, s.id, 'duplicate_step', `step id "${s.id}" is used twice`);
    else index.set(s.id, i);
  });
  def.steps.forEach((s, i) => {
    for (const next of successors(s)) if (!index.has(next)) add(`/steps/${i}`, s.id, 'unknown_step', `step "${s.id}" leads to "${next}", which does not exist`);
  });

  // Reachability and cycles by depth-first search from the first step.
  const state = new Map<string, 'open' | 'done'>();
  const visit = (id: string, path: string[]) => {
    const i = index.get(id);
    if (i === undefined) return;
    if (state.get(id) === 'open') {
      add(`/steps/${i}`, id, 'cycle', `steps loop back: ${[...path.slice(path.indexOf(id)), id].join(' → ')}`);
      return;
    }
    if (state.get(id) === 'done') return;
    state.set(id, 'open');
    for (const next of successors(def.steps[i])) visit(next, [...path, id]);
    state.set(id, 'done');
  };
  visit(def.steps[0].id, []);
  def.steps.forEach((s, i) => {
    if (!state.has(s.id)) add(`/steps/${i}`, s.id, 'unreachable_step', `step "${s.id}" cannot be reached from the first step "${def.steps[0].id}"`);
  });

  const segment = (path: string, stepId: string | null, id: string) => {
    if (!refs.segments.has(id)) add(path, stepId, 'unknown_segment', `segment "${id}" does not exist`);
  };
  const template = (path: string, stepId: string | null, text: string | undefined) => {
    if (text === undefined) return;
    try {
      liquid.parse(text);
    } catch (err) {
      add(path, stepId, 'bad_template', `the Liquid template does not parse: ${(err as Error).message.split('\n')[0]}`);
    }
  };
  const duration = (path: string, stepId: string, d: Duration) => {
    const ms = durationMs(d);
    if (ms < 1_000 || ms > MAX_WAIT_MS) add(path, stepId, 'bad_duration', `a wait must be between 1 second and 366 days (got ${d.amount} ${d.unit})`);
  };

  const t = def.trigger;
  if (t.type === 'segment_entered' || (t.type === 'schedule' && t.segmentId)) segment('/trigger/segmentId', null, (t as { segmentId: string }).segmentId);
  if (t.type === 'schedule' && !t.segmentId && !t.dateTrait) add('/trigger', null, 'schema', 'a schedule trigger needs a segmentId or a dateTrait');
  const rules = def.rules ?? {};
  if (typeof rules.exitOnSegmentExit === 'object') segment('/rules/exitOnSegmentExit/segmentId', null, rules.exitOnSegmentExit.segmentId);
  else if (rules.exitOnSegmentExit === true && !(t.type === 'segment_entered' || (t.type === 'schedule' && t.segmentId)))
    add('/rules/exitOnSegmentExit', null, 'unknown_segment', 'exitOnSegmentExit: true needs a segment trigger (or name the segment)');
  if (rules.defaultTimezone && !isValidTimeZone(rules.defaultTimezone)) add('/rules/defaultTimezone', null, 'bad_timezone', `"${rules.defaultTimezone}" is not an IANA time zone`);
  if (rules.reentry?.policy === 'after') {
    if (durationMs(rules.reentry.after) < 1_000) add('/rules/reentry/after', null, 'bad_duration', 're-entry delay must be at least 1 second');
  }
  rules.frequencyCaps?.forEach((c, i) => {
    if (durationMs(c.per) < 1_000) add(`/rules/frequencyCaps/${i}/per`, null, 'bad_duration', 'a frequency cap period must be at least 1 second');
  });

  def.steps.forEach((s, i) => {
    const p = `/steps/${i}`;
    switch (s.type) {
      case 'wait':
        duration(`${p}/duration`, s.id, s.duration);
        break;
      case 'wait_for_event':
        duration(`${p}/timeout`, s.id, s.timeout);
        break;
      case 'split': {
        const total = s.variants.reduce((sum, v) => sum + v.percent, 0);
        if (Math.abs(total - 100) > 1e-9) add(`${p}/variants`, s.id, 'bad_split', `split percentages add up to ${total}, not 100`);
        break;
      }
      case 'branch':
        s.branches.forEach((b, j) => {
          if (b.when.type === 'segment') segment(`${p}/branches/${j}/when/segmentId`, s.id, b.when.segmentId);
        });
        break;
      case 'send': {
        const d = refs.destinations.get(s.destinationId);
        if (!d) add(`${p}/destinationId`, s.id, 'unknown_destination', `destination "${s.destinationId}" does not exist`);
        else if (!CHANNEL_CONNECTORS[s.channel].includes(d.connector))
          add(`${p}/destinationId`, s.id, 'wrong_destination', `a ${s.channel} send needs a ${CHANNEL_CONNECTORS[s.channel].join(' or ')} destination; "${s.destinationId}" is ${d.connector}`);
        if (s.channel === 'audience') {
          if (!s.audience) add(`${p}/audience`, s.id, 'missing_message', 'an audience send needs `audience: {op, segmentId}`');
          else segment(`${p}/audience/segmentId`, s.id, s.audience.segmentId);
        } else if (s.channel !== 'webhook') {
          const m = s.message ?? {};
          const needs = s.channel === 'email' ? ['subject', 'text'] : s.channel === 'line' ? ['text'] : ['title', 'body'];
          const missing = needs.filter((k) => !(m as Record<string, unknown>)[k]);
          if (missing.length > 0) add(`${p}/message`, s.id, 'missing_message', `a ${s.channel} message needs ${missing.join(' and ')}`);
        }
        for (const [k, v] of Object.entries(s.message ?? {})) {
          if (typeof v === 'string') template(`${p}/message/${k}`, s.id, v);
          else for (const [dk, dv] of Object.entries(v)) template(`${p}/message/${k}/${dk}`, s.id, dv);
        }
        if (s.couponPoolId && !refs.couponPools.has(s.couponPoolId)) add(`${p}/couponPoolId`, s.id, 'unknown_coupon_pool', `coupon pool "${s.couponPoolId}" does not exist`);
        break;
      }
    }
  });
  return issues;
}

/** The step id under a JSON path like /steps/3/duration, when the input has one there. */
function stepAt(input: unknown, path: string): string | null {
  const m = /^\/steps\/(\d+)/.exec(path);
  const steps = (input as { steps?: unknown } | null)?.steps;
  if (!m || !Array.isArray(steps)) return null;
  const id = (steps[Number(m[1])] as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' ? id : null;
}
