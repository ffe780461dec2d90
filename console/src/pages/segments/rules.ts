// Pure helpers of the rule builder: a new condition of each kind, and the value parsing of inputs.
import type { Condition, Duration, PropertyFilter, Rule } from '../../api/types';

export type Kind = Condition['type'];
export const KINDS: Kind[] = ['trait', 'event', 'sequence', 'occurrence', 'segment', 'tag', 'rfm', 'rfm_segment', 'prediction', 'and', 'or', 'not'];
export type ValueOp = PropertyFilter['op'];
export const VALUE_OPS: ValueOp[] = ['equals', 'not_equals', 'gt', 'gte', 'lt', 'lte', 'contains', 'starts_with', 'in', 'exists', 'not_exists'];
export const NUMBER_OPS = ['equals', 'gt', 'gte', 'lt', 'lte'] as const;
export const UNITS: Duration['unit'][] = ['minutes', 'hours', 'days', 'weeks'];
/** The named RFM segments: the server's own list (a dependency-free module). */
export { RFM_SEGMENTS } from '../../../../src/segments/rfm-segments';
/** The predicted traits a prediction condition compares: the server's own list. */
export { PREDICTION_TRAITS } from '../../../../src/segments/prediction-traits';

export function newCondition(kind: Kind): Condition {
  switch (kind) {
    case 'and':
    case 'or':
      return { type: kind, conditions: [newCondition('trait')] };
    case 'not':
      return { type: 'not', condition: newCondition('event') };
    case 'trait':
      return { type: 'trait', path: '', op: 'equals', value: '' };
    case 'event':
      return { type: 'event', event: '' };
    case 'sequence':
      return { type: 'sequence', first: { event: '' }, then: { event: '' }, within: { amount: 1, unit: 'days' }, mode: 'followed' };
    case 'occurrence':
      return { type: 'occurrence', which: 'last', event: '', op: 'more_than_ago', duration: { amount: 30, unit: 'days' } };
    case 'segment':
      return { type: 'segment', segmentId: '' };
    case 'tag':
      return { type: 'tag', tag: '' };
    case 'rfm':
      return { type: 'rfm', score: 'rfm_r', op: 'gte', value: 4 };
    case 'rfm_segment':
      return { type: 'rfm_segment', in: ['Champions'] };
    case 'prediction':
      return { type: 'prediction', trait: 'p_alive', op: 'gte', value: 0.5 };
  }
}

export const emptyRule = (): Rule => ({ version: 1, root: { type: 'and', conditions: [newCondition('event')] } });

/** The value an input's text stands for under an operator (numbers for comparisons, true/false, else text). */
export function parseValue(op: ValueOp, text: string): string | number | boolean | (string | number)[] | undefined {
  if (op === 'exists' || op === 'not_exists') return undefined;
  if (op === 'in')
    return text
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((s) => (/^-?\d+(\.\d+)?$/.test(s) ? Number(s) : s));
  if (op === 'contains' || op === 'starts_with') return text;
  if (/^-?\d+(\.\d+)?$/.test(text.trim())) return Number(text.trim());
  if (op === 'equals' || op === 'not_equals') return text === 'true' ? true : text === 'false' ? false : text;
  return text; // an ISO date for gt/gte/lt/lte
}

export const valueText = (v: unknown) => (v === undefined ? '' : Array.isArray(v) ? v.join(', ') : String(v));

/** A value test with `op` changed: the value is kept when it still fits, dropped for exists/not_exists. */
export function withOp<T extends { op: ValueOp; value?: unknown }>(test: T, op: ValueOp): T {
  const { value, ...rest } = test;
  if (op === 'exists' || op === 'not_exists') return { ...rest, op } as T;
  return { ...rest, op, value: parseValue(op, valueText(value)) ?? '' } as T;
}
