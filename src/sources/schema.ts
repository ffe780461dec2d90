// Boundary shapes of the sources admin API.
import { Type, type Static } from '@sinclair/typebox';
import { ORIGIN_PATTERN } from './origins.js';

export const SOURCE_TYPES = ['web', 'app', 'server', 'pos', 'crm', 'import', 'webhook', 'iot', 'ads', 'other'] as const;

export const SourceType = Type.Union(SOURCE_TYPES.map((t) => Type.Literal(t)));

const AllowedOrigins = Type.Union(
  [Type.Array(Type.String({ pattern: ORIGIN_PATTERN, maxLength: 300 }), { maxItems: 100 }), Type.Null()],
  {
    description:
      'web origins that may send browser calls with this source\'s write key: exact ("https://shop.example") or any subdomain ("https://*.shop.example"); null: any origin. Calls from another origin get 403 origin_not_allowed.',
  },
);

export const CreateSourceBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    type: Type.Optional(SourceType),
    rateLimit: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], { description: 'events per second' })),
    allowedOrigins: Type.Optional(AllowedOrigins),
  },
  { additionalProperties: false },
);
export type CreateSourceBody = Static<typeof CreateSourceBody>;

export const UpdateSourceBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    enabled: Type.Optional(Type.Boolean()),
    rateLimit: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
    allowedOrigins: Type.Optional(AllowedOrigins),
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
  allowedOrigins: Type.Union([Type.Array(Type.String()), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  writeKeys: Type.Array(WriteKeyInfo),
});
export type Source = Static<typeof Source>;

/** Returned once, when a source or key is created: the only time the write key is visible. */
export const SourceWithKey = Type.Intersect([Source, Type.Object({ writeKey: Type.String() })]);
export type SourceWithKey = Static<typeof SourceWithKey>;
