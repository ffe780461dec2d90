// The permission catalogue (resource:action) and the built-in roles made of it. Routes name the
// permission they need in route-permissions.ts; a role grants a set of permissions and a level of
// access to personal data (PII), which the privacy capability's masking reads from the principal.
//
// PII access: owner and admin see personal data in full; marketer, analyst and support see it masked
// (j***@gmail.com) — enough to recognise a customer, not to copy a list; read-only sees none.
export const PERMISSIONS = [
  'sources:read',
  'sources:write',
  'imports:write',
  'events:read',
  'profiles:read',
  'profiles:write',
  'identity:read',
  'identity:write',
  'segments:read',
  'segments:write',
  'segments:export',
  'destinations:read',
  'destinations:write',
  'pipeline:read',
  'pipeline:write',
  'analytics:read',
  'predictions:read',
  'predictions:write',
  'journeys:read',
  'journeys:write',
  'journeys:activate',
  'coupons:read',
  'coupons:write',
  'placements:read',
  'placements:write',
  'consent:read',
  'consent:write',
  'privacy:read',
  'privacy:write',
  'privacy:export',
  'privacy:admin',
  'users:read',
  'users:write',
  'roles:write',
  'api-keys:read',
  'api-keys:write',
  'audit:read',
  'alerts:write',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const PII_ACCESS = ['full', 'masked', 'none'] as const;
export type PiiAccess = (typeof PII_ACCESS)[number];

export const BUILTIN_ROLE_NAMES = ['owner', 'admin', 'marketer', 'analyst', 'support', 'read-only'] as const;
export type BuiltinRole = (typeof BUILTIN_ROLE_NAMES)[number];

export interface RoleGrant {
  permissions: readonly Permission[];
  piiAccess: PiiAccess;
}

const ACCESS_ADMIN: readonly Permission[] = ['users:read', 'users:write', 'roles:write', 'api-keys:read', 'api-keys:write', 'audit:read', 'alerts:write', 'privacy:admin'];
/** Every `*:read` of customer data and configuration (not the access settings or the audit log). */
const READS = PERMISSIONS.filter((p) => p.endsWith(':read') && !ACCESS_ADMIN.includes(p) && p !== 'privacy:read');

export const BUILTIN_ROLES: Record<BuiltinRole, RoleGrant> = {
  owner: { permissions: PERMISSIONS, piiAccess: 'full' },
  admin: { permissions: PERMISSIONS, piiAccess: 'full' },
  marketer: {
    permissions: [
      ...READS,
      'segments:write',
      'segments:export',
      'destinations:write',
      'journeys:write',
      'journeys:activate',
      'coupons:write',
      'placements:write',
      'imports:write',
      'consent:write',
      'privacy:read',
    ],
    piiAccess: 'masked',
  },
  analyst: { permissions: [...READS, 'segments:export', 'predictions:write'], piiAccess: 'masked' },
  support: {
    permissions: ['profiles:read', 'events:read', 'destinations:read', 'pipeline:read', 'consent:read'],
    piiAccess: 'masked',
  },
  'read-only': { permissions: READS, piiAccess: 'none' },
};

/** API keys made before roles were permissions carried one of four roles; manager became marketer. */
export const LEGACY_ROLES: Record<string, BuiltinRole> = { admin: 'admin', manager: 'marketer', analyst: 'analyst', support: 'support' };

export const isBuiltinRole = (name: string): name is BuiltinRole => (BUILTIN_ROLE_NAMES as readonly string[]).includes(name);
export const isPermission = (p: string): p is Permission => (PERMISSIONS as readonly string[]).includes(p);
