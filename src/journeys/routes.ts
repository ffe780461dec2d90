// Admin API of journeys, journey templates and coupon pools. Writes (create, edit, activate, pause,
// resume, archive, coupon codes) need admin or manager; reads (lists, stats, validate, dry run,
// preview) also analyst.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ApiKeyStore } from '../auth/index.js';
import { actionRoute } from '../shared/action-route.js';
import { AppError } from '../shared/errors.js';
import { decodeCursor, encodeCursor, PageOf } from '../shared/paging.js';
import type { CouponStore } from './coupons.js';
import {
  CodesAdded,
  Coupon,
  CouponPool,
  CreateCouponPoolBody,
  CreateJourneyBody,
  DryRunBody,
  DryRunResult,
  Enrollment,
  FromTemplateBody,
  GenerateCodesBody,
  ImportCodesBody,
  Journey,
  JourneyStats,
  JourneyTemplate,
  JourneyVersion,
  PreviewMessage,
  PreviewMessageBody,
  UpdateJourneyBody,
  ValidateBody,
  ValidationResult,
  ENROLLMENT_STATES,
} from './schema.js';
import type { JourneyService } from './service.js';
import type { JourneyStore } from './store.js';
import { buildFromTemplate, templateList, TEMPLATES } from './templates.js';

const IdParams = Type.Object({ id: Type.String() });
const PageQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })), cursor: Type.Optional(Type.String()) });
type Id = { Params: { id: string } };

export async function journeyRoutes(app: FastifyInstance, opts: { keys: ApiKeyStore; journeys: JourneyService; store: JourneyStore; coupons: CouponStore }) {
  const { journeys, store, coupons } = opts;
  const tags = ['journeys'];

  app.post<{ Body: CreateJourneyBody }>('/v1/journeys', { schema: { tags, summary: 'Create a journey (a draft)', body: CreateJourneyBody, response: { 201: Journey } } }, async (req, reply) =>
    reply.code(201).send(await journeys.create(req.body)),
  );
  app.get<{ Querystring: { limit?: number; cursor?: string } }>('/v1/journeys', { schema: { tags, summary: 'List journeys', querystring: PageQuery, response: { 200: PageOf(Journey) } } }, async (req) => {
    const limit = req.query.limit ?? 100;
    const { rows, more } = await store.list(limit, decodeCursor(req.query.cursor, (v): v is string => typeof v === 'string'));
    return { data: rows, next: more ? encodeCursor(rows[rows.length - 1].id) : null };
  });
  app.post<{ Body: { definition: unknown } }>('/v1/journeys/validate', { schema: { tags, summary: 'Check a definition without saving it', body: ValidateBody, response: { 200: ValidationResult } } }, async (req) =>
    journeys.validate(req.body.definition),
  );
  app.get<Id>('/v1/journeys/:id', { schema: { tags, summary: 'A journey at its newest version', params: IdParams, response: { 200: Journey } } }, async (req) => store.get(req.params.id));
  app.patch<Id & { Body: UpdateJourneyBody }>(
    '/v1/journeys/:id',
    { schema: { tags, summary: 'Edit a journey: a new definition of a journey that has run becomes a new version', params: IdParams, body: UpdateJourneyBody, response: { 200: Journey } } },
    async (req) => journeys.update(req.params.id, req.body),
  );
  app.delete<Id>('/v1/journeys/:id', { schema: { tags, summary: 'Delete a draft', params: IdParams } }, async (req, reply) => {
    await store.delete(req.params.id);
    return reply.code(204).send();
  });
  app.get<Id>('/v1/journeys/:id/versions', { schema: { tags, summary: 'Every version of the definition', params: IdParams, response: { 200: PageOf(JourneyVersion) } } }, async (req) => ({
    data: await store.versions(req.params.id),
    next: null,
  }));
  const action = (path: string, summary: string, run: (id: string) => Promise<unknown>) =>
    app.post<Id>(`/v1/journeys/:id/${path}`, actionRoute({ schema: { tags, summary, params: IdParams, response: { 200: Journey } } }), async (req) => run(req.params.id));
  action('activate', 'Start taking entries (validated again first)', (id) => journeys.activate(id));
  action('pause', 'Hold everyone in place and take no entries', (id) => journeys.setStatus(id, ['active'], 'paused'));
  action('resume', 'Continue a paused journey (waits that fell due meanwhile fire now)', (id) => journeys.setStatus(id, ['paused'], 'active'));
  action('archive', 'Take no more entries; people inside finish (drain)', (id) => journeys.setStatus(id, ['active', 'paused', 'draft'], 'archived'));
  app.get<Id>('/v1/journeys/:id/stats', { schema: { tags, summary: 'Per journey and per step counts, conversion and lift over the holdout', params: IdParams, response: { 200: JourneyStats } } }, async (req) =>
    journeys.stats(req.params.id),
  );
  app.get<Id & { Querystring: { limit?: number; cursor?: string; state?: string } }>(
    '/v1/journeys/:id/enrollments',
    {
      schema: { tags, summary: 'People in (and through) the journey', params: IdParams, querystring: Type.Intersect([PageQuery, Type.Object({ state: Type.Optional(Type.Union(ENROLLMENT_STATES.map((s) => Type.Literal(s)))) })]), response: { 200: PageOf(Enrollment) } },
    },
    async (req) => journeys.enrollments(req.params.id, { limit: req.query.limit ?? 100, cursor: req.query.cursor, state: req.query.state }),
  );
  app.post<Id & { Body: DryRunBody }>('/v1/journeys/:id/dry-run', { schema: { tags, summary: 'Walk a profile through the journey without sending anything', params: IdParams, body: DryRunBody, response: { 200: DryRunResult } } }, async (req) =>
    journeys.dryRun(req.params.id, req.body),
  );
  app.post<Id & { Body: PreviewMessageBody }>(
    '/v1/journeys/:id/preview',
    { schema: { tags, summary: "Render a send step's message for a profile", params: IdParams, body: PreviewMessageBody, response: { 200: PreviewMessage } } },
    async (req) => journeys.preview(req.params.id, req.body),
  );

  app.get('/v1/journey-templates', { schema: { tags, summary: 'Built-in journeys', response: { 200: PageOf(JourneyTemplate) } } }, async () => ({ data: templateList(), next: null }));
  app.post<{ Params: { template: string }; Body: FromTemplateBody }>(
    '/v1/journey-templates/:template/journeys',
    { schema: { tags, summary: 'Create a journey (draft) from a template', params: Type.Object({ template: Type.String() }), body: FromTemplateBody, response: { 201: Journey } } },
    async (req, reply) => {
      const t = TEMPLATES.find((x) => x.id === req.params.template);
      if (!t) throw new AppError('journey_template_not_found', 404, `no journey template ${req.params.template}`);
      return reply.code(201).send(await journeys.create({ name: req.body.name ?? t.name, description: t.description, definition: buildFromTemplate(t, req.body) }, t.id));
    },
  );

  const ctags = ['coupons'];
  app.post<{ Body: CreateCouponPoolBody }>('/v1/coupon-pools', { schema: { tags: ctags, summary: 'Create a coupon pool', body: CreateCouponPoolBody, response: { 201: CouponPool } } }, async (req, reply) =>
    reply.code(201).send(await coupons.create(req.body)),
  );
  app.get('/v1/coupon-pools', { schema: { tags: ctags, summary: 'List coupon pools', response: { 200: PageOf(CouponPool) } } }, async () => ({ data: await coupons.list(), next: null }));
  app.get<Id>('/v1/coupon-pools/:id', { schema: { tags: ctags, summary: 'A coupon pool with its counts', params: IdParams, response: { 200: CouponPool } } }, async (req) => coupons.get(req.params.id));
  app.delete<Id>('/v1/coupon-pools/:id', { schema: { tags: ctags, summary: 'Delete a pool and its codes', params: IdParams } }, async (req, reply) => {
    await coupons.delete(req.params.id);
    return reply.code(204).send();
  });
  app.post<Id & { Body: { codes: string[] } }>('/v1/coupon-pools/:id/codes', { schema: { tags: ctags, summary: 'Import codes', params: IdParams, body: ImportCodesBody, response: { 200: CodesAdded } } }, async (req) =>
    coupons.addCodes(req.params.id, req.body.codes),
  );
  app.post<Id & { Body: { count: number } }>(
    '/v1/coupon-pools/:id/generate',
    { schema: { tags: ctags, summary: "Generate unique codes from the pool's pattern", params: IdParams, body: GenerateCodesBody, response: { 200: CodesAdded } } },
    async (req) => coupons.generate(req.params.id, req.body.count),
  );
  app.get<Id & { Querystring: { limit?: number; cursor?: string } }>(
    '/v1/coupon-pools/:id/codes',
    { schema: { tags: ctags, summary: 'Codes, who has them and whether they were redeemed', params: IdParams, querystring: PageQuery, response: { 200: PageOf(Coupon) } } },
    async (req) => coupons.codes(req.params.id, req.query.limit ?? 100, req.query.cursor),
  );
}
