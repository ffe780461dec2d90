export { ApiKeyStore, ENV_KEY_ID } from './api-keys.js';
export { RoleStore } from './role-store.js';
export { UserStore } from './user-store.js';
export { can, piiAccessOf, type Principal } from './principal.js';
export { BUILTIN_ROLE_NAMES, BUILTIN_ROLES, PERMISSIONS, PII_ACCESS, type Permission, type PiiAccess } from './permissions.js';
export { ROUTE_PERMISSIONS, AUDITED_READS, accessOf, routesWithoutPermission, type RouteAccess } from './route-permissions.js';
export { AuditStore } from './audit/audit-store.js';
export { createAccess, type Access } from './create-access.js';
