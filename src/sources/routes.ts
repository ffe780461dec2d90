// Admin API for sources and write keys.
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { ApiKeyStore } from '../auth/index.js';
import { PageOf } from '../shared/paging.js';
import { actionRoute } from '../shared/action-route.js';
import { CreateSourceBody, Source, SourceWithKey, UpdateSourceBody } from './schema.js';
import type { SourceStore } from './store.js';

const IdParams = Type.Object({ id: Type.String() });

export async function sourceRoutes(
  app: FastifyInstance,
  opts: { sources: SourceStore; keys: ApiKeyStore; onChange: () => void },
) {
  const { sources } = opts;
  const tags = ['sources'];

  app.post<{ Body: CreateSourceBody }>(
    '/v1/sources',
    { schema: { tags, summary: 'Create a source and its first write key', body: CreateSourceBody, response: { 201: SourceWithKey } } },
    async (req, reply) => {
      const source = await sources.create(req.body);
      // Preflights are answered from the origins all sources admit (cached): a new source changes them.
      opts.onChange();
      return reply.code(201).send(source);
    },
  );
  app.get(
    '/v1/sources',
    { schema: { tags, summary: 'List sources', response: { 200: PageOf(Source) } } },
    async () => ({ data: await sources.list(), next: null }),
  );
  app.get<{ Params: { id: string } }>(
    '/v1/sources/:id',
    { schema: { tags, summary: 'Get a source', params: IdParams, response: { 200: Source } } },
    async (req) => sources.get(req.params.id),
  );
  app.patch<{ Params: { id: string }; Body: UpdateSourceBody }>(
    '/v1/sources/:id',
    { schema: { tags, summary: 'Rename, enable/disable or rate-limit a source', params: IdParams, body: UpdateSourceBody, response: { 200: Source } } },
    async (req) => {
      const source = await sources.update(req.params.id, req.body);
      opts.onChange();
      return source;
    },
  );
  app.post<{ Params: { id: string } }>(
    '/v1/sources/:id/write-keys',
    actionRoute({ schema: { tags, summary: 'Add a write key (for rotation)', params: IdParams, response: { 201: SourceWithKey } } }),
    async (req, reply) => reply.code(201).send(await sources.createWriteKey(req.params.id)),
  );
  app.delete<{ Params: { id: string; keyId: string } }>(
    '/v1/sources/:id/write-keys/:keyId',
    {
      schema: { tags, summary: 'Revoke a write key', params: Type.Object({ id: Type.String(), keyId: Type.String() }), response: { 200: Source } },
    },
    async (req) => {
      const source = await sources.revokeWriteKey(req.params.id, req.params.keyId);
      opts.onChange();
      return source;
    },
  );
}
