// Boundary shapes of the consent API.
import { Type, type Static } from '@sinclair/typebox';

export const CategoryId = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$', description: 'the key events use in context.consent.categoryPreferences' });

export const ConsentCategory = Type.Object({
  id: CategoryId,
  name: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  required: Type.Boolean({ description: 'always allowed (necessary): a person cannot refuse it' }),
  inUse: Type.Array(Type.String(), { description: 'ids of destinations sending under this category' }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
export type ConsentCategory = Static<typeof ConsentCategory>;

export const NewConsentCategory = Type.Object(
  {
    id: CategoryId,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.Optional(Type.Union([Type.String({ maxLength: 2000 }), Type.Null()])),
    required: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type NewConsentCategory = Static<typeof NewConsentCategory>;

export const ConsentCategoryPatch = Type.Partial(Type.Omit(NewConsentCategory, ['id']), { additionalProperties: false });
export type ConsentCategoryPatch = Static<typeof ConsentCategoryPatch>;

export const Preferences = Type.Record(Type.String(), Type.Boolean(), { description: '{categoryId: granted}' });

export const ConsentStatement = Type.Object({
  source: Type.Union([Type.Literal('event'), Type.Literal('api')]),
  preferences: Preferences,
  at: Type.String({ format: 'date-time' }),
  /** The log offset of the event that stated it (source event). */
  eventSeq: Type.Union([Type.Integer(), Type.Null()]),
  actor: Type.Union([Type.String(), Type.Null()]),
});
export type ConsentStatement = Static<typeof ConsentStatement>;

export const ConsentState = Type.Object({
  profileId: Type.String(),
  /** Per workspace category: granted, refused, or not stated (null); required categories are always granted. */
  categories: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), required: Type.Boolean(), granted: Type.Union([Type.Boolean(), Type.Null()]), at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]) })),
  /** Every category stated, also ones the workspace has not defined. */
  preferences: Preferences,
});
export type ConsentState = Static<typeof ConsentState>;

export const ConsentUpdate = Type.Object({ preferences: Type.Record(Type.String({ minLength: 1 }), Type.Boolean(), { minProperties: 1 }) }, { additionalProperties: false });
export type ConsentUpdate = Static<typeof ConsentUpdate>;
