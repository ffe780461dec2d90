// The permissions the consent and data-subject-request routes declare, and which of today's roles
// hold each (until users and custom roles land: then this table moves into the route-permission table).
import { requireRole, type ApiKeyStore, type Role } from '../auth/index.js';

export const PRIVACY_PERMISSIONS = {
  'consent:read': ['admin', 'manager', 'analyst', 'support'],
  'consent:write': ['admin', 'manager'],
  'privacy:read': ['admin', 'manager'],
  'privacy:write': ['admin'],
  'privacy:export': ['admin'],
  /** Field-encryption keys and their rotation. */
  'privacy:admin': ['admin'],
} as const satisfies Record<string, readonly Role[]>;

export type PrivacyPermission = keyof typeof PRIVACY_PERMISSIONS;

export const requirePermission = (keys: ApiKeyStore, permission: PrivacyPermission) => requireRole(keys, PRIVACY_PERMISSIONS[permission]);
