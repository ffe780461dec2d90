// The segment rule language: a versioned JSON AST. This schema is the single definition both
// evaluators (SQL compiler and incremental evaluator) and the API validate against.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { RFM_SEGMENTS, type RfmSegmentName } from './rfm-segments.js';
import { PREDICTION_TRAITS, type PredictionTrait } from './prediction-traits.js';

const lit = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));

export const TIME_UNITS = ['minutes', 'hours', 'days', 'weeks'] as const;
export const Duration = Type.Object(
  { amount: Type.Integer({ minimum: 0, maximum: 100_000 }), unit: lit(TIME_UNITS) },
  { additionalProperties: false },
);
export type Duration = Static<typeof Duration>;

/** Events with ts in (now - from, now - to]; `last: d` is the same as `from: d, to: 0`. */
export const Window = Type.Union([
  Type.Object({ last: Duration }, { additionalProperties: false }),
  Type.Object({ from: Duration, to: Duration }, { additionalProperties: false }),
]);
export type Window = Static<typeof Window>;

/** A dotted path into a JSON object (`address.city`); segments may not contain `.`, `"` or `\`. */
const Path = Type.String({ minLength: 1, maxLength: 200, pattern: '^[^."\\\\]+(\\.[^."\\\\]+)*$' });
const Scalar = Type.Union([Type.String({ maxLength: 1000 }), Type.Number(), Type.Boolean()]);
/** An ISO-8601 date(-time) compared with epoch-millisecond values. */
const IsoDate = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}([T ][0-9:.]+(Z|[+-]\\d{2}:?\\d{2})?)?$' });

/** The value tests shared by trait conditions and event property filters, `where` fields added. */
function valueTests<P extends Record<string, TSchema>>(where: P) {
  const o = { additionalProperties: false } as const;
  return [
    Type.Object({ ...where, op: lit(['equals', 'not_equals'] as const), value: Scalar }, o),
    Type.Object({ ...where, op: Type.Literal('in'), value: Type.Array(Type.Union([Type.String(), Type.Number()]), { maxItems: 1000 }) }, o),
    Type.Object({ ...where, op: lit(['contains', 'starts_with'] as const), value: Type.String({ maxLength: 1000 }) }, o),
    Type.Object({ ...where, op: lit(['gt', 'gte', 'lt', 'lte'] as const), value: Type.Union([Type.Number(), IsoDate]) }, o),
    Type.Object({ ...where, op: lit(['exists', 'not_exists'] as const) }, o),
  ];
}

export const PropertyFilter = Type.Union(valueTests({ property: Path }));
export type PropertyFilter = Static<typeof PropertyFilter>;
/** The predicate part of a trait condition or property filter. */
export type ValueTest = PropertyFilter extends infer F ? (F extends unknown ? Omit<F, 'property'> : never) : never;

const EventName = Type.String({ minLength: 1, maxLength: 200 });
const Where = Type.Optional(Type.Array(PropertyFilter, { maxItems: 20 }));
export const EventSpec = Type.Object({ event: EventName, where: Where }, { additionalProperties: false });
export type EventSpec = Static<typeof EventSpec>;

export const NumberComparison = lit(['equals', 'gt', 'gte', 'lt', 'lte'] as const);
export type NumberComparison = Static<typeof NumberComparison>;

export { RFM_SEGMENTS, type RfmSegmentName };

export { PREDICTION_TRAITS, type PredictionTrait };

export const Condition = Type.Recursive(
  (Self) =>
    Type.Union([
      Type.Object({ type: Type.Literal('and'), conditions: Type.Array(Self, { minItems: 1, maxItems: 50 }) }, { additionalProperties: false }),
      Type.Object({ type: Type.Literal('or'), conditions: Type.Array(Self, { minItems: 1, maxItems: 50 }) }, { additionalProperties: false }),
      Type.Object({ type: Type.Literal('not'), condition: Self }, { additionalProperties: false }),
      // traits = profiles.traits, computed = profiles.computed.
      ...valueTests({ type: Type.Literal('trait'), source: Type.Optional(lit(['traits', 'computed'] as const)), path: Path }),
      /** Matching events (name, property filters, window): count and/or aggregate test; did=false negates. */
      Type.Object(
        {
          type: Type.Literal('event'),
          event: EventName,
          where: Where,
          window: Type.Optional(Window),
          did: Type.Optional(Type.Boolean()),
          count: Type.Optional(
            Type.Object({ op: lit(['at_least', 'at_most', 'exactly'] as const), value: Type.Integer({ minimum: 0 }) }, { additionalProperties: false }),
          ),
          aggregate: Type.Optional(
            Type.Object(
              { fn: lit(['sum', 'avg', 'min', 'max'] as const), property: Path, op: NumberComparison, value: Type.Number() },
              { additionalProperties: false },
            ),
          ),
        },
        { additionalProperties: false },
      ),
      /** `first` (in window) followed by `then` within `within` — or, not_followed, abandonment. */
      Type.Object(
        {
          type: Type.Literal('sequence'),
          first: EventSpec,
          then: EventSpec,
          within: Duration,
          mode: lit(['followed', 'not_followed'] as const),
          window: Type.Optional(Window),
        },
        { additionalProperties: false },
      ),
      /** When the first/last matching event happened: less than / more than `duration` ago. */
      Type.Object(
        {
          type: Type.Literal('occurrence'),
          which: lit(['first', 'last'] as const),
          event: EventName,
          where: Where,
          op: lit(['less_than_ago', 'more_than_ago'] as const),
          duration: Duration,
        },
        { additionalProperties: false },
      ),
      Type.Object({ type: Type.Literal('segment'), segmentId: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
      /** A manual tag, or membership of a segment flagged with this tag. */
      Type.Object({ type: Type.Literal('tag'), tag: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false }),
      Type.Object(
        { type: Type.Literal('rfm'), score: lit(['rfm_r', 'rfm_f', 'rfm_m'] as const), op: NumberComparison, value: Type.Integer({ minimum: 1, maximum: 5 }) },
        { additionalProperties: false },
      ),
      Type.Object({ type: Type.Literal('rfm_segment'), in: Type.Array(lit(RFM_SEGMENTS), { minItems: 1 }) }, { additionalProperties: false }),
      /** A predicted trait of the last model refit; a profile without predictions never matches. */
      Type.Object(
        { type: Type.Literal('prediction'), trait: lit(PREDICTION_TRAITS), op: NumberComparison, value: Type.Number() },
        { additionalProperties: false },
      ),
    ]),
  { $id: 'SegmentCondition' },
);
export type Condition = Static<typeof Condition>;

export const RULE_VERSION = 1;
export const Rule = Type.Object({ version: Type.Literal(RULE_VERSION), root: Condition }, { additionalProperties: false });
export type Rule = Static<typeof Rule>;

export type EventCondition = Extract<Condition, { type: 'event' }>;
export type SequenceCondition = Extract<Condition, { type: 'sequence' }>;
export type OccurrenceCondition = Extract<Condition, { type: 'occurrence' }>;
export type TraitCondition = Extract<Condition, { type: 'trait' }>;
