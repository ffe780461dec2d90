// Boundary shapes of identity resolution: the workspace rules (GET/PUT /v1/identity/rules).
import { Type, type Static } from '@sinclair/typebox';

export const IdentifierRule = Type.Object(
  {
    type: Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}$', description: 'identifier type, e.g. email, member_id' }),
    paths: Type.Array(Type.String({ minLength: 1 }), {
      minItems: 1,
      description: 'where the value is read in the normalised message, e.g. traits.email, context.device.advertisingId',
    }),
    normalise: Type.Union(
      [Type.Literal('none'), Type.Literal('trim'), Type.Literal('lowercase'), Type.Literal('email'), Type.Literal('phone')],
      { description: 'email: trim + lower-case; phone: E.164 using defaultCountry; lowercase: trim + lower-case' },
    ),
    priority: Type.Integer({ description: 'higher wins: on a conflict the lower-priority identifier is dropped' }),
    limit: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], { description: 'most values one profile may hold; null = unlimited' }),
    link: Type.Boolean({ description: 'false = lookup only (e.g. order_id): attached to the profile but never merges profiles' }),
  },
  { additionalProperties: false },
);
export type IdentifierRule = Static<typeof IdentifierRule>;

export const IdentityRules = Type.Object(
  {
    defaultCountry: Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO country for phone numbers without a country code' }),
    identifiers: Type.Array(IdentifierRule, { minItems: 1 }),
    traitPrecedence: Type.Record(Type.String(), Type.Array(Type.String()), {
      description:
        'per trait name (or "*" for all): source ids or source types in precedence order; a listed source beats any later-listed or unlisted one, whatever the time',
    }),
  },
  { additionalProperties: false },
);
export type IdentityRules = Static<typeof IdentityRules>;

export const IdentifierRef = Type.Object({ type: Type.String(), value: Type.String() }, { additionalProperties: false });
export type IdentifierRef = Static<typeof IdentifierRef>;
