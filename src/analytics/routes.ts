// GET /v1/overview (the console's summary) and the analytics queries under /v1/analytics/… . Every
// route needs the analytics:read permission (roles admin, manager, analyst).
import type { FastifyInstance } from 'fastify';
import type { ApiKeyStore } from '../auth/index.js';
import type { Clock } from '../shared/clock.js';
import type { Db, Dialect } from '../storage/index.js';
import { retention } from './cohorts.js';
import { engagement } from './engagement.js';
import { funnel } from './funnel.js';
import { journeyEffect } from './journey-effect.js';
import { kpis } from './kpis.js';
import { overview } from './overview.js';
import { paths } from './paths.js';
import { payback } from './payback.js';
import {
  EngagementAnswer,
  EngagementQuery,
  FunnelAnswer,
  FunnelQuery,
  JourneysAnswer,
  JourneysQuery,
  KpiAnswer,
  KpiQuery,
  PathsAnswer,
  PathsQuery,
  PaybackAnswer,
  PaybackQuery,
  RetentionAnswer,
  RetentionQuery,
  RfmGridAnswer,
  RfmGridQuery,
  RoiAnswer,
  RoiQuery,
  WebAnswer,
  WebQuery,
} from './query-schema.js';
import { rfmGrid } from './rfm-grid.js';
import { settleMoves } from './rollup-stage.js';
import { roi } from './roi.js';
import { checkSegment, resolveScope } from './scope.js';
import { Overview } from './schema.js';
import type { Static } from '@sinclair/typebox';
import { web } from './web.js';

export async function overviewRoutes(app: FastifyInstance, opts: { db: Db; keys: ApiKeyStore; clock: Clock }) {
  app.get(
    '/v1/overview',
    {
      schema: { tags: ['analytics'], summary: 'Counts, events per day (14 UTC days) and the RFM distribution', response: { 200: Overview } },
    },
    async () => overview(opts.db, opts.clock.now()),
  );
}

export async function analyticsRoutes(app: FastifyInstance, opts: { db: Db; dialect: Dialect; keys: ApiKeyStore; clock: Clock }) {
  const { db } = opts;
  // The counters answer for today's profiles: identity changes since the stage's last batch are applied first.
  const settled = () => settleMoves(db, opts.dialect);
  const doc = (summary: string, querystring: object, answer: object) => ({ schema: { tags: ['analytics'], summary, querystring, response: { 200: answer } } });

  app.get<{ Querystring: Static<typeof KpiQuery> }>('/v1/analytics/kpis', doc('Orders, revenue, AOV, customers (new/returning), actives, conversion, frequency, DAU/WAU/MAU', KpiQuery, KpiAnswer), async (req) => {
    const scope = await resolveScope(db, req.query);
    await settled();
    return kpis(db, scope, req.query.from, req.query.to);
  });
  app.post<{ Body: FunnelQuery }>(
    '/v1/analytics/funnels',
    { schema: { tags: ['analytics'], summary: 'Ordered funnel: per-step users, conversion and median time between steps', body: FunnelQuery, response: { 200: FunnelAnswer } } },
    async (req) => funnel(db, opts.dialect, await resolveScope(db, req.body), req.body),
  );
  app.get<{ Querystring: Static<typeof RetentionQuery> }>('/v1/analytics/retention', doc('Retention table and LTV curve by first-seen or first-order cohort', RetentionQuery, RetentionAnswer), async (req) => {
    const scope = await resolveScope(db, req.query);
    await settled();
    return retention(db, scope, req.query.cohort);
  });
  app.get<{ Querystring: Static<typeof PaybackQuery> }>('/v1/analytics/payback', doc('Payback of each acquisition channel from its spend', PaybackQuery, PaybackAnswer), async (req) =>
    payback(db, await resolveScope(db, req.query), opts.clock.now()),
  );
  app.get<{ Querystring: Static<typeof PathsQuery> }>('/v1/analytics/paths', doc('Top next or previous events or pages', PathsQuery, PathsAnswer), async (req) =>
    paths(db, await resolveScope(db, req.query), req.query),
  );
  app.get<{ Querystring: Static<typeof WebQuery> }>('/v1/analytics/web', doc('Sessions, bounce, dwell, entry/exit pages, referrers and campaigns', WebQuery, WebAnswer), async (req) =>
    web(db, await resolveScope(db, req.query), req.query.limit),
  );
  app.get<{ Querystring: Static<typeof EngagementQuery> }>('/v1/analytics/engagement', doc('DAU/WAU/MAU per day, stickiness, key events per user', EngagementQuery, EngagementAnswer), async (req) => {
    const scope = await resolveScope(db, req.query);
    await settled();
    return engagement(db, scope, req.query.from, req.query.to, keyEvents(req.query.events));
  });
  app.get<{ Querystring: Static<typeof RoiQuery> }>('/v1/analytics/roi', doc('ROI, ROAS and CAC per channel and campaign (first-touch, last-touch or linear)', RoiQuery, RoiAnswer), async (req) =>
    roi(db, await resolveScope(db, req.query), req.query.model, req.query.lookbackDays),
  );
  app.get<{ Querystring: Static<typeof RfmGridQuery> }>('/v1/analytics/rfm-grid', doc('Profiles and revenue per RFM recency × frequency score', RfmGridQuery, RfmGridAnswer), async (req) => {
    await checkSegment(db, req.query.segment);
    return rfmGrid(db, req.query.segment);
  });
  app.get<{ Querystring: Static<typeof JourneysQuery> }>(
    '/v1/analytics/journeys',
    doc('Journey effect: conversion and revenue of the treated group against the holdout, with Welch 95 % intervals', JourneysQuery, JourneysAnswer),
    async (req) => journeyEffect(db, await resolveScope(db, req.query), req.query.journey),
  );
}

const keyEvents = (list: string | undefined) => [...new Set((list ?? '').split(',').map((e) => e.trim()).filter(Boolean))].slice(0, 20);
