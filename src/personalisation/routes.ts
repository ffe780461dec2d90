// Personalisation API: placements (admin CRUD) and POST /v1/decide, which sites and apps call with a
// source write key (Basic auth, or `writeKey` in the body) — from browsers too: the path is a
// collection path for CORS (ingest/browser-cors.ts), held to the source's allowed origins.
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { ApiKeyStore } from '../auth/index.js';
import { basicUser } from '../ingest/index.js';
import { AppError } from '../shared/errors.js';
import { PageOf } from '../shared/paging.js';
import { decide, eventWindows } from './decide.js';
import { CreatePlacementBody, DecideBody, DecideResponse, Placement, UpdatePlacementBody } from './schema.js';
import type { PlacementStore } from './store.js';
import { highVolumeLogLevel } from '../http/high-volume-logging.js';
import type { VisitorFactsReader } from './visitor-facts.js';

/** What decide needs from collection: the source behind a write key, and a way to record exposures. */
export interface Collection {
  sourceFor(key: unknown, origin?: string): Promise<{ sourceId: string }>;
  ingestForSource(sourceId: string, batch: Record<string, unknown>[]): Promise<unknown>;
}

export const EXPOSURE_EVENT = 'Placement Exposed';
const IdParams = Type.Object({ id: Type.String() });
type Id = { Params: { id: string } };

export async function personalisationRoutes(
  app: FastifyInstance,
  o: { keys: ApiKeyStore; store: PlacementStore; facts: VisitorFactsReader; collection: Collection },
) {
  const tags = ['personalisation'];

  app.get<{ Querystring: { limit: number; cursor?: string } }>(
    '/v1/placements',
    {
      schema: { tags, summary: 'List placements', querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }), cursor: Type.Optional(Type.String()) }), response: { 200: PageOf(Placement) } },
    },
    async (req) => o.store.list(req.query.limit, req.query.cursor),
  );
  app.post<{ Body: CreatePlacementBody }>(
    '/v1/placements',
    { schema: { tags, summary: 'Create a placement', body: CreatePlacementBody, response: { 201: Placement } } },
    async (req, reply) => reply.code(201).send(await o.store.create(req.body)),
  );
  app.get<Id>('/v1/placements/:id', { schema: { tags, summary: 'Get a placement', params: IdParams, response: { 200: Placement } } }, async (req) => o.store.get(req.params.id));
  app.patch<Id & { Body: UpdatePlacementBody }>(
    '/v1/placements/:id',
    { schema: { tags, summary: 'Change a placement', params: IdParams, body: UpdatePlacementBody, response: { 200: Placement } } },
    async (req) => o.store.update(req.params.id, req.body),
  );
  app.delete<Id>('/v1/placements/:id', { schema: { tags, summary: 'Delete a placement', params: IdParams } }, async (req, reply) => {
    await o.store.delete(req.params.id);
    return reply.code(204).send();
  });

  app.post<{ Body: DecideBody }>(
    '/v1/decide',
    {
      schema: {
        tags,
        summary: 'What to show this visitor in these placements (write key, like tracking)',
        security: [{ writeKey: [] }],
        body: DecideBody,
        response: { 200: DecideResponse },
      },
      logLevel: highVolumeLogLevel(app),
    },
    async (req) => {
      const source = await o.collection.sourceFor(basicUser(req.headers.authorization) ?? req.body.writeKey, req.headers.origin);
      const { userId, anonymousId } = req.body;
      if (userId === undefined && anonymousId === undefined) throw new AppError('missing_field', 400, 'give userId or anonymousId', { field: 'userId' });
      const names = req.body.placements ?? (req.body.placement !== undefined ? [req.body.placement] : []);
      if (names.length === 0) throw new AppError('missing_field', 400, 'give placement (or placements)', { field: 'placement' });
      const placements = await o.store.named(names);
      const profileId = await o.facts.profileOf(userId, anonymousId);
      const facts = await o.facts.factsOf(profileId, eventWindows(placements));
      const context = req.body.context ?? {};
      // Keyed by the id the page sends (userId, else anonymousId), not the profile id: a first visit
      // creates the profile (and a merge changes it), which must not switch the variant already shown.
      const visitor = userId ?? anonymousId!;
      const decisions = placements.map((p) => decide(p, facts, context, visitor));
      const exposures = decisions.filter((d, i) => d.variant !== null && placements[i].recordExposures);
      if (exposures.length > 0)
        // Recorded after answering: the page must not wait for the log; a failure is logged, not hidden.
        o.collection
          .ingestForSource(
            source.sourceId,
            exposures.map((d) => ({ type: 'track', event: EXPOSURE_EVENT, ...(userId ? { userId } : {}), ...(anonymousId ? { anonymousId } : {}), properties: { placement: d.placement, rule: d.rule, variant: d.variant } })),
          )
          .catch((err: unknown) => req.log.error({ err }, 'recording placement exposures failed'));
      return { decisions, known: facts.known };
    },
  );
}
