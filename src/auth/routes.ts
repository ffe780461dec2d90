// GET /v1/me: who the caller is. The console signs in with it (a cheap check of the key that also
// tells which pages the role may use).
import type { FastifyInstance } from 'fastify';
import { ROLES, type ApiKeyStore } from './api-keys.js';
import { requireRole } from './require-role.js';
import { Me } from './schema.js';

export async function authRoutes(app: FastifyInstance, opts: { keys: ApiKeyStore }) {
  app.get(
    '/v1/me',
    { preHandler: requireRole(opts.keys, ROLES), schema: { tags: ['auth'], summary: 'The role of the calling API key', response: { 200: Me } } },
    async (req) => ({ role: req.principal!.role, keyId: req.principal!.keyId }),
  );
}
