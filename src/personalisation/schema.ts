// Boundary shapes of personalisation: placements (a named slot with ordered rules and a default) and
// the decide call a site or app makes for a visitor.
import { Type, type Static } from '@sinclair/typebox';
// The schema file itself (not the capability's index): the console's types import this file.
import { PropertyFilter } from '../segments/rule-schema.js';

const Name = Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_.:-]+$', description: 'the slot name sites and apps ask for (letters, digits, _ . : -)' });
const o = { additionalProperties: false } as const;
/** Whatever the site renders: a banner, an offer, a list of product ids. */
export const Content = Type.Unknown({ description: 'any JSON the site or app renders' });

export const PlacementCondition = Type.Union([
  Type.Object({ type: Type.Literal('trait'), test: PropertyFilter }, { ...o, description: "a test on the profile's traits or computed traits (computed win on the same name)" }),
  Type.Object({ type: Type.Literal('segment'), segmentId: Type.String({ minLength: 1 }), not: Type.Optional(Type.Boolean()) }, { ...o, description: 'is (or, with not, is not) a member' }),
  Type.Object({ type: Type.Literal('tag'), tag: Type.String({ minLength: 1 }), not: Type.Optional(Type.Boolean()) }, o),
  Type.Object(
    {
      type: Type.Literal('event'),
      event: Type.String({ minLength: 1 }),
      withinDays: Type.Integer({ minimum: 1, maximum: 365 }),
      minCount: Type.Optional(Type.Integer({ minimum: 1, description: 'default 1' })),
      not: Type.Optional(Type.Boolean()),
    },
    { ...o, description: 'recent behaviour: performed the event at least minCount times in the last withinDays days' },
  ),
  Type.Object({ type: Type.Literal('context'), test: PropertyFilter }, { ...o, description: "a test on the request's context (device.type, location.country, page.path, …)" }),
  Type.Object({ type: Type.Literal('known'), value: Type.Boolean() }, { ...o, description: 'the visitor has a profile (true) or is unknown (false)' }),
]);
export type PlacementCondition = Static<typeof PlacementCondition>;

export const Variant = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 100 }), weight: Type.Integer({ minimum: 0, maximum: 100 }), content: Content },
  o,
);
export const PlacementRule = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    conditions: Type.Array(PlacementCondition, { maxItems: 50, description: 'all must hold (none: everyone)' }),
    content: Type.Optional(Content),
    variants: Type.Optional(Type.Array(Variant, { minItems: 2, maxItems: 10, description: 'A/B/n: weights sum to 100; assignment is stable per visitor' })),
  },
  o,
);
export type PlacementRule = Static<typeof PlacementRule>;

const PlacementFields = {
  name: Name,
  description: Type.Optional(Type.String({ maxLength: 1000 })),
  rules: Type.Array(PlacementRule, { maxItems: 100 }),
  default: Type.Optional(Content),
  recordExposures: Type.Optional(Type.Boolean({ description: 'record a "Placement Exposed" event when an A/B variant is served (default true)' })),
};
export const CreatePlacementBody = Type.Object(PlacementFields, o);
export type CreatePlacementBody = Static<typeof CreatePlacementBody>;
export const UpdatePlacementBody = Type.Partial(Type.Object(PlacementFields), o);
export type UpdatePlacementBody = Static<typeof UpdatePlacementBody>;

export const Placement = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  rules: Type.Array(PlacementRule),
  default: Content,
  recordExposures: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
export type Placement = Static<typeof Placement>;

export const DecideBody = Type.Object(
  {
    placement: Type.Optional(Name),
    placements: Type.Optional(Type.Array(Name, { minItems: 1, maxItems: 20, description: 'several slots in one call' })),
    userId: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    anonymousId: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    context: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'the request context, as in tracking calls (device, location, page, …)' })),
    writeKey: Type.Optional(Type.String({ description: 'the source write key, when it cannot be sent as Basic auth' })),
  },
  o,
);
export type DecideBody = Static<typeof DecideBody>;

export const Decision = Type.Object({
  placement: Type.String(),
  /** The rule that answered; null: the default. */
  rule: Type.Union([Type.String(), Type.Null()]),
  variant: Type.Union([Type.String(), Type.Null()]),
  content: Content,
});
export type Decision = Static<typeof Decision>;

export const DecideResponse = Type.Object({
  decisions: Type.Array(Decision),
  /** Whether the visitor has a profile. */
  known: Type.Boolean(),
});
