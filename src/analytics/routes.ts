// GET /v1/overview: the console dashboard's summary.
import type { FastifyInstance } from 'fastify';
import { requireRole, type ApiKeyStore } from '../auth/index.js';
import type { Clock } from '../shared/clock.js';
import type { Db } from '../storage/index.js';
import { overview } from './overview.js';
import { Overview } from './schema.js';

export async function overviewRoutes(app: FastifyInstance, opts: { db: Db; keys: ApiKeyStore; clock: Clock }) {
  app.get(
    '/v1/overview',
    {
      preHandler: requireRole(opts.keys, ['admin', 'manager', 'analyst']),
      schema: { tags: ['analytics'], summary: 'Counts, events per day (14 UTC days) and the RFM distribution', response: { 200: Overview } },
    },
    async () => overview(opts.db, opts.clock.now()),
  );
}
