// Boundary shapes of tracking plans: per source, the events expected and a JSON Schema for each
// one's properties (and optionally for identify traits).
import { Type, type Static } from '@sinclair/typebox';

const JsonSchema = Type.Record(Type.String(), Type.Unknown(), { description: 'a JSON Schema (draft-07)' });

export const TrackingPlan = Type.Object(
  {
    /** keep: the event is stored, flagged in context.trackingPlan; block: it goes to failed events instead. */
    onViolation: Type.Union([Type.Literal('keep'), Type.Literal('block')], { default: 'keep' }),
    /** Whether a track event not listed in `events` is a violation. */
    unplannedEvents: Type.Union([Type.Literal('allow'), Type.Literal('violation')], { default: 'violation' }),
    events: Type.Record(Type.String({ minLength: 1 }), Type.Object({ description: Type.Optional(Type.String()), properties: Type.Optional(JsonSchema) }, { additionalProperties: false })),
    identify: Type.Optional(Type.Object({ traits: JsonSchema }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);
export type TrackingPlan = Static<typeof TrackingPlan>;

export const Violation = Type.Object({
  code: Type.Union([Type.Literal('unplanned_event'), Type.Literal('invalid_properties'), Type.Literal('invalid_traits')]),
  field: Type.Union([Type.String(), Type.Null()]),
  message: Type.String(),
});
export type Violation = Static<typeof Violation>;

export const StoredViolation = Type.Intersect([
  Violation,
  Type.Object({ id: Type.String(), messageId: Type.String(), type: Type.String(), event: Type.Union([Type.String(), Type.Null()]), blocked: Type.Boolean(), at: Type.String({ format: 'date-time' }) }),
]);
export type StoredViolation = Static<typeof StoredViolation>;

export const ViolationSummary = Type.Object({
  total: Type.Integer(),
  blocked: Type.Integer(),
  byEvent: Type.Array(Type.Object({ event: Type.Union([Type.String(), Type.Null()]), code: Type.String(), count: Type.Integer() })),
});
