// Admin API of identity resolution: the workspace rules and the rebuild that applies them to the past.
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { ApiKeyStore } from '../auth/index.js';
import type { Db, Dialect } from '../storage/index.js';
import type { Clock } from '../shared/clock.js';
import { loadRules, saveRules } from './rules-store.js';
import { resetIdentity } from './rebuild.js';
import { IdentityRules } from './schema.js';
import { actionRoute } from '../shared/action-route.js';

export async function identityRoutes(
  app: FastifyInstance,
  opts: { db: Db; dialect: Dialect; clock: Clock; keys: ApiKeyStore; onRebuild: () => void },
) {
  const tags = ['identity'];

  app.get(
    '/v1/identity/rules',
    { schema: { tags, summary: 'The identity resolution rules', response: { 200: IdentityRules } } },
    async () => loadRules(opts.db),
  );
  app.put<{ Body: IdentityRules }>(
    '/v1/identity/rules',
    {
      schema: {
        tags,
        summary: 'Replace the identity resolution rules (new events use them; POST /v1/identity/rebuild applies them to past events)',
        body: IdentityRules,
        response: { 200: IdentityRules },
      },
    },
    async (req) => saveRules(opts.db, req.body, opts.clock.now()),
  );
  app.post(
    '/v1/identity/rebuild',
    actionRoute({
      schema: {
        tags,
        summary: 'Re-resolve every profile from the event log under the current rules (runs in the background)',
        response: { 202: Type.Object({ status: Type.Literal('rebuilding'), profilesDropped: Type.Integer() }) },
      },
    }),
    async (_req, reply) => {
      const { profilesDropped } = await resetIdentity(opts);
      opts.onRebuild();
      return reply.code(202).send({ status: 'rebuilding' as const, profilesDropped });
    },
  );
}
