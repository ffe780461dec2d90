// Admin API of custom transformations: set, read, remove, and try one on a sample event.
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { ApiKeyStore } from '../../auth/index.js';
import { AppError } from '../../shared/errors.js';
import type { ConnectorStore } from '../connector-store.js';
import type { SourceStore } from '../store.js';
import type { SandboxProcess } from './sandbox-process.js';
import type { Transformer, TransformationConfig } from './transformer.js';
import { PutTransformationBody, TestTransformationBody, TestTransformationResult, Transformation } from './schema.js';

const IdParams = Type.Object({ id: Type.String() });

export async function transformationRoutes(
  app: FastifyInstance,
  opts: { connectors: ConnectorStore; transformer: Transformer; sandbox: SandboxProcess; sources: SourceStore; keys: ApiKeyStore },
) {
  const { connectors } = opts;
  const tags = ['sources'];
  const view = async (sourceId: string) => {
    const c = await connectors.require<TransformationConfig>(sourceId, 'transformation');
    return { sourceId, code: c.config.code, updatedAt: new Date(c.updatedAt).toISOString() };
  };

  app.put<{ Params: { id: string }; Body: PutTransformationBody }>(
    '/v1/sources/:id/transformation',
    { schema: { tags, summary: "Set the source's custom JavaScript transformation", params: IdParams, body: PutTransformationBody, response: { 200: Transformation } } },
    async (req) => {
      await opts.sandbox.check(req.body.code);
      await connectors.put(req.params.id, 'transformation', { code: req.body.code } satisfies TransformationConfig);
      return view(req.params.id);
    },
  );
  app.get<{ Params: { id: string } }>(
    '/v1/sources/:id/transformation',
    { schema: { tags, summary: "Get the source's transformation", params: IdParams, response: { 200: Transformation } } },
    async (req) => view(req.params.id),
  );
  app.delete<{ Params: { id: string } }>(
    '/v1/sources/:id/transformation',
    { schema: { tags, summary: "Remove the source's transformation", params: IdParams } },
    async (req, reply) => {
      await connectors.remove(req.params.id, 'transformation');
      return reply.code(204).send();
    },
  );
  app.post<{ Params: { id: string }; Body: TestTransformationBody }>(
    '/v1/sources/:id/transformation/test',
    {
      schema: { tags, summary: 'Run a transformation on a sample event without storing anything', params: IdParams, body: TestTransformationBody, response: { 200: TestTransformationResult } },
    },
    async (req) => {
      await opts.sources.get(req.params.id);
      try {
        return { events: await opts.transformer.test(req.params.id, req.body.code, req.body.event), error: null };
      } catch (err) {
        // Problems of the code or the sample are the answer to the test, not a failed request.
        if (err instanceof AppError && err.status < 500 && err.status !== 404) return { events: [], error: { code: err.code, message: err.message } };
        throw err;
      }
    },
  );
}
