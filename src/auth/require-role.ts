// @deprecated — access is decided by ROUTE_PERMISSIONS (route-permissions.ts) in one hook
// (access-hook.ts), which has already authenticated and authorised every request by the time a
// preHandler runs. Kept so route files written against the old four-role check keep compiling while
// they move over; the role list given here is ignored (the table is the only source of truth).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiKeyStore } from './api-keys.js';

export function requireRole(_keys: ApiKeyStore, _roles: readonly string[]) {
  return async (_req: FastifyRequest, _reply: FastifyReply) => {};
}
