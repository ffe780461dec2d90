export { ApiKeyStore, ROLES, type Role, type Principal } from './api-keys.js';
export { requireRole } from './require-role.js';
export { authRoutes } from './routes.js';
