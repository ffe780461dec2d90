// GET /v1/sources/:id/health.
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { ApiKeyStore } from '../../auth/index.js';
import type { Clock } from '../../shared/clock.js';
import type { Db } from '../../storage/index.js';
import type { SourceStore } from '../store.js';
import { sourceHealth } from './health.js';
import { SourceHealth } from './schema.js';

export async function sourceHealthRoutes(app: FastifyInstance, opts: { db: Db; sources: SourceStore; keys: ApiKeyStore; clock: Clock }) {
  app.get<{ Params: { id: string } }>(
    '/v1/sources/:id/health',
    {
      schema: { tags: ['sources'], summary: 'Events per hour (24 h), last seen and failures of a source', params: Type.Object({ id: Type.String() }), response: { 200: SourceHealth } },
    },
    async (req) => {
      await opts.sources.get(req.params.id);
      return sourceHealth(opts.db, req.params.id, opts.clock.now());
    },
  );
}
