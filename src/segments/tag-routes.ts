// Admin API for manual tags and RFM scores.
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { ApiKeyStore } from '../auth/index.js';
import { AppError } from '../shared/errors.js';
import { PageOf } from '../shared/paging.js';
import { actionRoute } from '../shared/action-route.js';
import type { TagService } from './tags.js';
import type { RfmService } from './rfm.js';
import { AddTagBody, PageQuery, RfmRun, RfmScore, RfmSettings, TagImportResult, TagParams, TagSummary } from './schema.js';

const MAX_CSV_BYTES = 50 * 1024 * 1024;

export async function tagRoutes(app: FastifyInstance, opts: { tags: TagService; rfm: RfmService; keys: ApiKeyStore }) {
  const { tags: service, rfm } = opts;
  const tags = ['tags'];
  if (!app.hasContentTypeParser('text/csv'))
    app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: MAX_CSV_BYTES }, (_req, body, done) => done(null, body));

  app.get('/v1/tags', { schema: { tags, summary: 'Tags in use: manual and rule-based', response: { 200: PageOf(TagSummary) } } }, async () => ({
    data: await service.list(),
    next: null,
  }));
  app.get<{ Params: { tag: string }; Querystring: PageQuery }>(
    '/v1/tags/:tag/profiles',
    { schema: { tags, summary: 'Profiles with a manual tag', params: TagParams, querystring: PageQuery } },
    async (req) => service.profiles(req.params.tag, req.query.limit ?? 100, req.query.cursor),
  );
  app.post<{ Params: { tag: string }; Body: AddTagBody }>(
    '/v1/tags/:tag/profiles',
    {
      schema: { tags, summary: 'Tag profiles by id', params: TagParams, body: AddTagBody, response: { 200: Type.Object({ tagged: Type.Integer(), unknown: Type.Array(Type.String()) }) } },
    },
    async (req) => service.add(req.params.tag, req.body.profileIds),
  );
  app.delete<{ Params: { tag: string; profileId: string } }>(
    '/v1/tags/:tag/profiles/:profileId',
    { schema: { tags, summary: 'Remove a manual tag', params: Type.Object({ tag: Type.String(), profileId: Type.String() }) } },
    async (req, reply) => {
      await service.remove(req.params.tag, req.params.profileId);
      return reply.code(204).send();
    },
  );
  app.post<{ Params: { tag: string }; Body: string }>(
    '/v1/tags/:tag/import',
    {
      bodyLimit: MAX_CSV_BYTES,
      schema: { tags, summary: 'Tag the profiles of a CSV of identifiers (text/csv with a header: profile_id, user_id, email, … or identifier)', params: TagParams, response: { 200: TagImportResult } },
    },
    async (req) => {
      if (typeof req.body !== 'string') throw new AppError('unsupported_media_type', 415, 'send the identifiers as text/csv');
      return service.importCsv(req.params.tag, req.body);
    },
  );

  const rfmTags = ['rfm'];
  app.get('/v1/rfm/settings', { schema: { tags: rfmTags, summary: 'What counts as a purchase for RFM' } }, async () => rfm.settings());
  app.put<{ Body: RfmSettings }>(
    '/v1/rfm/settings',
    { schema: { tags: rfmTags, summary: 'Set the purchase event and value properties for RFM', body: RfmSettings } },
    async (req) => rfm.setSettings(req.body),
  );
  app.post('/v1/rfm/recompute', actionRoute({ schema: { tags: rfmTags, summary: 'Recompute RFM scores now (also runs daily)', response: { 200: RfmRun } } }), async () =>
    rfm.recompute(),
  );
  app.get<{ Params: { profileId: string } }>(
    '/v1/rfm/scores/:profileId',
    { schema: { tags: rfmTags, summary: "A profile's RFM scores", params: Type.Object({ profileId: Type.String() }), response: { 200: RfmScore } } },
    async (req) => {
      const score = await rfm.scoresOf(req.params.profileId);
      if (!score) throw new AppError('rfm_not_found', 404, `no RFM scores for ${req.params.profileId} (no purchase, or not computed yet)`);
      return score;
    },
  );
}
