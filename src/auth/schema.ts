// Boundary shapes of the access API: who am I, sign-in, users, roles, API keys.
import { Type, type Static } from '@sinclair/typebox';
import { BUILTIN_ROLE_NAMES, PERMISSIONS, PII_ACCESS } from './permissions.js';

const literals = <T extends readonly string[]>(xs: T) => Type.Unsafe<T[number]>({ type: 'string', enum: [...xs] });

export const PermissionName = literals(PERMISSIONS);
export const PiiAccessLevel = literals(PII_ACCESS);
/** A built-in role or a custom one: lower-case letters, digits and dashes. */
export const RoleName = Type.String({ pattern: '^[a-z][a-z0-9-]{1,39}$', description: `${BUILTIN_ROLE_NAMES.join(', ')} or a custom role` });
const Email = Type.String({ format: 'email', maxLength: 254 });
const Password = Type.String({ minLength: 1, maxLength: 1024 });

export const Me = Type.Object({
  kind: Type.Union([Type.Literal('user'), Type.Literal('api_key')]),
  /** The user id or API key id (`env` for MERIDIAN_ADMIN_KEY). */
  id: Type.String(),
  label: Type.String({ description: "the user's email or the key's name" }),
  role: Type.String(),
  permissions: Type.Array(PermissionName),
  piiAccess: PiiAccessLevel,
  /** Cookie sessions: send it back as X-CSRF-Token on every POST, PUT, PATCH and DELETE. */
  csrfToken: Type.Optional(Type.String()),
});
export type Me = Static<typeof Me>;

export const SignInBody = Type.Object({ email: Email, password: Password }, { additionalProperties: false });
export type SignInBody = Static<typeof SignInBody>;

export const User = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  role: Type.String(),
  disabled: Type.Boolean(),
  locked: Type.Boolean({ description: 'locked after repeated failed sign-ins (unlocks by itself, or when an admin sets a password)' }),
  lastSignInAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
});
export type User = Static<typeof User>;

export const CreateUserBody = Type.Object(
  {
    email: Email,
    name: Type.Optional(Type.String({ maxLength: 200 })),
    role: RoleName,
    password: Type.Optional(Type.String({ minLength: 1, maxLength: 1024, description: 'at least 12 characters; when absent one is generated and returned once' })),
  },
  { additionalProperties: false },
);
export type CreateUserBody = Static<typeof CreateUserBody>;
export const CreatedUser = Type.Intersect([User, Type.Object({ password: Type.Optional(Type.String({ description: 'the generated password, shown once' })) })]);

export const UpdateUserBody = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 200 })),
    role: Type.Optional(RoleName),
    disabled: Type.Optional(Type.Boolean()),
    password: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateUserBody = Static<typeof UpdateUserBody>;

export const ChangePasswordBody = Type.Object({ currentPassword: Password, newPassword: Password }, { additionalProperties: false });
export type ChangePasswordBody = Static<typeof ChangePasswordBody>;

export const RoleView = Type.Object({
  name: Type.String(),
  builtin: Type.Boolean(),
  description: Type.Union([Type.String(), Type.Null()]),
  permissions: Type.Array(PermissionName),
  piiAccess: PiiAccessLevel,
});
export type RoleView = Static<typeof RoleView>;

export const CreateRoleBody = Type.Object(
  { name: RoleName, description: Type.Optional(Type.String({ maxLength: 500 })), permissions: Type.Array(PermissionName, { maxItems: 200 }), piiAccess: PiiAccessLevel },
  { additionalProperties: false },
);
export type CreateRoleBody = Static<typeof CreateRoleBody>;
export const UpdateRoleBody = Type.Object(
  { description: Type.Optional(Type.String({ maxLength: 500 })), permissions: Type.Optional(Type.Array(PermissionName, { maxItems: 200 })), piiAccess: Type.Optional(PiiAccessLevel) },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateRoleBody = Static<typeof UpdateRoleBody>;
export const RoleParams = Type.Object({ name: Type.String({ maxLength: 40 }) });

export const ApiKey = Type.Object({
  id: Type.String(),
  name: Type.String(),
  role: Type.String(),
  prefix: Type.String({ description: 'the first characters of the key, to tell keys apart' }),
  createdAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  revoked: Type.Boolean(),
});
export type ApiKey = Static<typeof ApiKey>;
export const ApiKeyWithSecret = Type.Intersect([ApiKey, Type.Object({ key: Type.String({ description: 'the key itself, shown once' }) })]);
export const CreateApiKeyBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 200 }), role: RoleName, expiresAt: Type.Optional(Type.String({ format: 'date-time' })) },
  { additionalProperties: false },
);
export type CreateApiKeyBody = Static<typeof CreateApiKeyBody>;
