// The consent API: the workspace's categories (Settings → Consent categories) and a profile's consent
// state, statement and history (the customer card, a CMP's server-side sync).
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { ApiKeyStore } from '../../auth/index.js';
import type { ProfileReader } from '../../profiles/index.js';
import { PageOf } from '../../shared/paging.js';
import type { ConsentStore } from './store.js';
import { ConsentCategory, ConsentCategoryPatch, ConsentState, ConsentStatement, ConsentUpdate, NewConsentCategory } from './schema.js';

const IdParams = Type.Object({ id: Type.String() });
const ProfileParams = Type.Object({ idType: Type.String(), idValue: Type.String() });
type ProfileParams = Static<typeof ProfileParams>;
const Paging = Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }), cursor: Type.Optional(Type.String()) });

export async function consentRoutes(app: FastifyInstance, o: { keys: ApiKeyStore; store: ConsentStore; profiles: ProfileReader }) {
  const tags = ['consent'];
  const profileOf = (p: ProfileParams) => o.profiles.resolve(p.idType, p.idValue);

  app.get('/v1/consent/categories', { schema: { tags, summary: 'Consent categories of the workspace', response: { 200: PageOf(ConsentCategory) } } }, async () => ({
    data: await o.store.categories(),
    next: null,
  }));
  app.post<{ Body: NewConsentCategory }>(
    '/v1/consent/categories',
    { schema: { tags, summary: 'Add a consent category', body: NewConsentCategory, response: { 201: ConsentCategory } } },
    async (req, reply) => reply.code(201).send(await o.store.createCategory(req.body)),
  );
  app.get<{ Params: { id: string } }>('/v1/consent/categories/:id', { schema: { tags, summary: 'A consent category', params: IdParams, response: { 200: ConsentCategory } } }, async (req) =>
    o.store.category(req.params.id),
  );
  app.patch<{ Params: { id: string }; Body: ConsentCategoryPatch }>(
    '/v1/consent/categories/:id',
    { schema: { tags, summary: 'Rename, describe or (un)require a consent category', params: IdParams, body: ConsentCategoryPatch, response: { 200: ConsentCategory } } },
    async (req) => o.store.updateCategory(req.params.id, req.body),
  );
  app.delete<{ Params: { id: string } }>(
    '/v1/consent/categories/:id',
    { schema: { tags, summary: 'Remove a consent category no destination uses', params: IdParams } },
    async (req, reply) => {
      await o.store.deleteCategory(req.params.id);
      return reply.code(204).send();
    },
  );

  app.get<{ Params: ProfileParams }>(
    '/v1/profiles/:idType/:idValue/consent',
    { schema: { tags, summary: "A profile's consent per category", params: ProfileParams, response: { 200: ConsentState } } },
    async (req) => o.store.state(await profileOf(req.params)),
  );
  app.put<{ Params: ProfileParams; Body: ConsentUpdate }>(
    '/v1/profiles/:idType/:idValue/consent',
    {
      schema: { tags, summary: "Record a profile's consent (categories not named keep their state)", params: ProfileParams, body: ConsentUpdate, response: { 200: ConsentState } },
    },
    async (req) => o.store.record(await profileOf(req.params), req.body.preferences, req.principal?.actor ?? null),
  );
  app.get<{ Params: ProfileParams; Querystring: Static<typeof Paging> }>(
    '/v1/profiles/:idType/:idValue/consent/history',
    { schema: { tags, summary: "Every consent statement of a profile, newest first", params: ProfileParams, querystring: Paging, response: { 200: PageOf(ConsentStatement) } } },
    async (req) => o.store.history(await profileOf(req.params), req.query.limit, req.query.cursor),
  );
}
