// HTTP API of predictions: refit jobs, model cards, and a profile's predicted traits and recommendations.
// Permissions: predictions:read (admin, manager, analyst; support too on a profile's own predictions,
// which it reads with profiles:read), predictions:write (admin, manager).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { ApiKeyStore } from '../../auth/index.js';
import type { Db, Dialect } from '../../storage/index.js';
import type { Clock } from '../../shared/clock.js';
import { AppError } from '../../shared/errors.js';
import { PageOf } from '../../shared/paging.js';
import { ProfileReader } from '../../profiles/index.js';
import type { PredictionService } from './service.js';
import { ModelCard, MODEL_NAMES, PredictionJob, ProfilePredictions, Recommendations, RefitBody } from './schema.js';

const ProfileParams = Type.Object({ idType: Type.String(), idValue: Type.String() });
type ProfileParams = Static<typeof ProfileParams>;

export const PREDICTION_ROLES = {
  read: ['admin', 'manager', 'analyst'],
  profileRead: ['admin', 'manager', 'analyst', 'support'],
  write: ['admin', 'manager'],
} as const;

export async function predictionRoutes(app: FastifyInstance, opts: { service: PredictionService; keys: ApiKeyStore; db: Db; dialect: Dialect; clock: Clock }) {
  const { service } = opts;
  const profiles = new ProfileReader(opts.db, opts.dialect, opts.clock);
  const tags = ['predictions'];

  app.post<{ Body: RefitBody }>(
    '/v1/predictions/refit',
    {
      // No body means the defaults, as `{}` does.
      preValidation: async (req: FastifyRequest) => {
        if (req.body === undefined || req.body === null) req.body = {};
      },
      schema: { tags, summary: 'Queue a refit of every model (also runs on a schedule); poll the job', body: RefitBody, response: { 202: PredictionJob } },
    },
    async (req, reply) => reply.code(202).send(await service.refit(req.body)),
  );
  app.get<{ Querystring: { limit: number; cursor?: string } }>(
    '/v1/predictions/jobs',
    {
      schema: {
        tags,
        summary: 'Refit jobs, newest first',
        querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }), cursor: Type.Optional(Type.String()) }),
        response: { 200: PageOf(PredictionJob) },
      },
    },
    async (req) => service.store.listJobs(req.query.limit, req.query.cursor),
  );
  app.get<{ Params: { id: string } }>(
    '/v1/predictions/jobs/:id',
    { schema: { tags, summary: 'A refit job and its status', params: Type.Object({ id: Type.String() }), response: { 200: PredictionJob } } },
    async (req) => service.store.getJob(req.params.id),
  );
  app.get(
    '/v1/predictions/models',
    { schema: { tags, summary: 'Model cards of the last refit: parameters, data window, metrics against baselines', response: { 200: PageOf(ModelCard) } } },
    async () => ({ data: await service.store.models(), next: null }),
  );
  app.get<{ Params: { name: string } }>(
    '/v1/predictions/models/:name',
    {
      schema: { tags, summary: `One model card (${MODEL_NAMES.join(', ')})`, params: Type.Object({ name: Type.String() }), response: { 200: ModelCard } },
    },
    async (req) => service.store.model(req.params.name),
  );
  app.get<{ Params: ProfileParams }>(
    '/v1/profiles/:idType/:idValue/predictions',
    { schema: { tags, summary: "A profile's predicted traits", params: ProfileParams, response: { 200: ProfilePredictions } } },
    async (req) => {
      const id = await profiles.resolve(req.params.idType, req.params.idValue);
      const scores = await service.store.scoresOf(id);
      if (!scores) throw new AppError('predictions_not_found', 404, `profile ${id} has no predicted traits (no purchase up to the last refit, or no refit yet)`, { profileId: id });
      return scores;
    },
  );
  app.get<{ Params: ProfileParams; Querystring: { n: number } }>(
    '/v1/profiles/:idType/:idValue/recommendations',
    {
      schema: {
        tags,
        summary: 'Items to recommend: similar to what the profile bought or viewed, then the most popular',
        params: ProfileParams,
        querystring: Type.Object({ n: Type.Integer({ minimum: 1, maximum: 100, default: 10 }) }),
        response: { 200: Recommendations },
      },
    },
    async (req) => {
      const id = await profiles.resolve(req.params.idType, req.params.idValue);
      return { profileId: id, data: await service.recommendationsFor(id, req.query.n) };
    },
  );
}
