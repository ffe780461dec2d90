// Tracking plan API, per source: put/get/delete the plan, list violations and their counts.
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { ApiKeyStore } from '../../auth/index.js';
import { AppError } from '../../shared/errors.js';
import { PageOf } from '../../shared/paging.js';
import type { Clock } from '../../shared/clock.js';
import type { SourceStore } from '../store.js';
import { StoredViolation, TrackingPlan, ViolationSummary } from './schema.js';
import type { TrackingPlans } from './service.js';

const Params = Type.Object({ id: Type.String() });
const DAY_MS = 24 * 3600_000;

export async function trackingPlanRoutes(app: FastifyInstance, opts: { plans: TrackingPlans; sources: SourceStore; keys: ApiKeyStore; clock: Clock }) {
  const { plans, sources } = opts;
  const tags = ['tracking plans'];

  app.put<{ Params: { id: string }; Body: TrackingPlan }>(
    '/v1/sources/:id/tracking-plan',
    { schema: { tags, summary: 'Set the tracking plan of a source', params: Params, body: TrackingPlan, response: { 200: TrackingPlan } } },
    async (req) => {
      await sources.get(req.params.id);
      await plans.put(req.params.id, req.body);
      return req.body;
    },
  );
  app.get<{ Params: { id: string } }>(
    '/v1/sources/:id/tracking-plan',
    { schema: { tags, summary: 'The tracking plan of a source', params: Params, response: { 200: TrackingPlan } } },
    async (req) => {
      const plan = await plans.store.get(req.params.id);
      if (!plan) throw new AppError('tracking_plan_not_found', 404, `source ${req.params.id} has no tracking plan`);
      return plan;
    },
  );
  app.delete<{ Params: { id: string } }>(
    '/v1/sources/:id/tracking-plan',
    { schema: { tags, summary: 'Remove the tracking plan (all events accepted again)', params: Params } },
    async (req, reply) => {
      await plans.delete(req.params.id);
      return reply.code(204).send();
    },
  );
  app.get<{ Params: { id: string }; Querystring: { limit?: number; cursor?: string } }>(
    '/v1/sources/:id/tracking-plan/violations',
    {
      schema: {
        tags,
        summary: 'Recorded violations, newest first',
        params: Params,
        querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }), cursor: Type.Optional(Type.String()) }),
        response: { 200: PageOf(StoredViolation) },
      },
    },
    async (req) => plans.store.list(req.params.id, req.query.limit!, req.query.cursor),
  );
  app.get<{ Params: { id: string }; Querystring: { hours?: number } }>(
    '/v1/sources/:id/tracking-plan/violations/summary',
    {
      schema: {
        tags,
        summary: 'Violation counts per event and code',
        params: Params,
        querystring: Type.Object({ hours: Type.Integer({ minimum: 1, maximum: 24 * 90, default: 24 }) }),
        response: { 200: ViolationSummary },
      },
    },
    async (req) => plans.store.summary(req.params.id, opts.clock.now() - (req.query.hours! * DAY_MS) / 24),
  );
}
