// Boundary shapes of the sources admin API.
import { Type, type Static } from '@sinclair/typebox';

export const SOURCE_TYPES = ['web', 'app', 'server', 'pos', 'crm', 'import', 'webhook', 'iot', 'ads', 'other'] as const;

export const SourceType = Type.Union(SOURCE_TYPES.map((t) => Type.Literal(t)));

export const CreateSourceBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    type: Type.Optional(SourceType),
    rateLimit: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], { description: 'events per second' })),
  },
  { additionalProperties: false },
);
export type CreateSourceBody = Static<typeof CreateSourceBody>;

export const UpdateSourceBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    enabled: Type.Optional(Type.Boolean()),
    rateLimit: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
  },
  { additionalProperties: false },
);
export type UpdateSourceBody = Static<typeof UpdateSourceBody>;

export const WriteKeyInfo = Type.Object({
  id: Type.String(),
  prefix: Type.String({ description: 'first characters of the key, to tell keys apart' }),
  createdAt: Type.String({ format: 'date-time' }),
  revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

export const Source = Type.Object({
  id: Type.String(),
  name: Type.String(),
  type: Type.String(),
  enabled: Type.Boolean(),
  rateLimit: Type.Union([Type.Integer(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  writeKeys: Type.Array(WriteKeyInfo),
});
export type Source = Static<typeof Source>;

/** Returned once, when a source or key is created: the only time the write key is visible. */
export const SourceWithKey = Type.Intersect([Source, Type.Object({ writeKey: Type.String() })]);
export type SourceWithKey = Static<typeof SourceWithKey>;
