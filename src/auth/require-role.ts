// Fastify preHandler that authenticates `Authorization: Bearer <api key>` and checks the role.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../shared/errors.js';
import type { ApiKeyStore, Principal, Role } from './api-keys.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

export function requireRole(keys: ApiKeyStore, allowed: readonly Role[]) {
  return async (req: FastifyRequest, _reply: FastifyReply) => {
    const header = req.headers.authorization;
    const match = header && /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new AppError('unauthenticated', 401, 'send an API key as `Authorization: Bearer <key>`');
    const principal = await keys.authenticate(match[1]);
    if (!principal) throw new AppError('invalid_api_key', 401, 'the API key is unknown or revoked');
    if (!allowed.includes(principal.role))
      throw new AppError('forbidden', 403, `this action needs one of the roles: ${allowed.join(', ')}`);
    req.principal = principal;
  };
}
