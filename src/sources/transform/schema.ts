// Boundary shapes of the custom transformation API.
import { Type, type Static } from '@sinclair/typebox';

export const PutTransformationBody = Type.Object(
  { code: Type.String({ minLength: 1, maxLength: 100_000, description: 'JavaScript defining function transform(event) { return event | [events] | null }' }) },
  { additionalProperties: false },
);
export type PutTransformationBody = Static<typeof PutTransformationBody>;

export const Transformation = Type.Object({
  sourceId: Type.String(),
  code: Type.String(),
  updatedAt: Type.String({ format: 'date-time' }),
});

export const TestTransformationBody = Type.Object(
  {
    event: Type.Record(Type.String(), Type.Unknown(), { description: 'a sample tracking message, with its type' }),
    code: Type.Optional(Type.String({ minLength: 1, maxLength: 100_000, description: 'code to try instead of the saved transformation' })),
  },
  { additionalProperties: false },
);
export type TestTransformationBody = Static<typeof TestTransformationBody>;

export const TestTransformationResult = Type.Object({
  events: Type.Array(Type.Record(Type.String(), Type.Unknown()), { description: 'the events that would enter the log (empty: dropped)' }),
  error: Type.Union([Type.Object({ code: Type.String(), message: Type.String() }), Type.Null()]),
});
