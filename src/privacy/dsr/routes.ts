// The data-subject request API (Privacy requests page, a DPO's tooling).
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { ApiKeyStore } from '../../auth/index.js';
import { PageOf } from '../../shared/paging.js';
import type { PrivacyRequests } from './requests.js';
import { NewPrivacyRequest, PrivacyRequest, RequestKind } from './schema.js';

const IdParams = Type.Object({ id: Type.String() });
const ListQuery = Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }), cursor: Type.Optional(Type.String()), kind: Type.Optional(RequestKind) });

export async function privacyRequestRoutes(app: FastifyInstance, o: { keys: ApiKeyStore; requests: PrivacyRequests }) {
  const tags = ['privacy'];

  app.post<{ Body: NewPrivacyRequest }>(
    '/v1/privacy/requests',
    {
      schema: { tags, summary: 'File a data-subject request (access, rectify, delete, suppress): a job, answered 202', body: NewPrivacyRequest, response: { 202: PrivacyRequest } },
    },
    async (req, reply) => reply.code(202).send(await o.requests.create(req.body, req.principal?.actor ?? null)),
  );
  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/v1/privacy/requests',
    { schema: { tags, summary: 'Data-subject requests, newest first', querystring: ListQuery, response: { 200: PageOf(PrivacyRequest) } } },
    async (req) => o.requests.list(req.query.limit, req.query.cursor, req.query.kind),
  );
  app.get<{ Params: { id: string } }>(
    '/v1/privacy/requests/:id',
    { schema: { tags, summary: 'A data-subject request: status, step, progress, result', params: IdParams, response: { 200: PrivacyRequest } } },
    async (req) => o.requests.get(req.params.id),
  );
  app.get<{ Params: { id: string } }>(
    '/v1/privacy/requests/:id/export',
    { schema: { tags, summary: 'Download the JSON export of a completed access request', params: IdParams } },
    async (req, reply) => {
      const json = await o.requests.exportOf(req.params.id);
      return reply
        .header('content-type', 'application/json; charset=utf-8')
        .header('content-disposition', `attachment; filename="${req.params.id}.json"`)
        .send(json);
    },
  );
}
