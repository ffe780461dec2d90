// Admin API for destinations, their deliveries and dead letters, plus the public unsubscribe link.
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { ApiKeyStore } from '../auth/index.js';
import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import { PageOf } from '../shared/paging.js';
import { actionRoute } from '../shared/action-route.js';
import type { DeliveryStore } from './deliveries.js';
import type { DeliveryEngine } from './engine.js';
import type { IdentifierSource } from './identifiers.js';
import type { ProfileReads } from './profile-reads.js';
import type { PushTokens } from './push-tokens.js';
import { replaceResync, resync, type MemberSource } from './resync.js';
import { CreateDestinationBody, DeadLetterFilter, Delivery, DeliveryQuery, Destination, PushTokenView, ResyncBody, ResyncResult, Stats, UpdateDestinationBody } from './schema.js';
import type { DestinationStore } from './store.js';
import type { Unsubscribes } from './unsubscribe.js';
import type { Db, Dialect } from '../storage/index.js';
import type { SealedJson } from '../shared/encryption/sealed-json.js';

const IdParams = Type.Object({ id: Type.String() });
type Id = { Params: { id: string } };

export interface DestinationRouteOptions {
  keys: ApiKeyStore;
  store: DestinationStore;
  deliveries: DeliveryStore;
  engine: DeliveryEngine;
  unsubscribes: Unsubscribes;
  members: MemberSource;
  /** Replace-mode resync reads the members' identifiers and consent when it is requested. */
  identifiers: IdentifierSource;
  profiles: ProfileReads;
  pushTokens: PushTokens;
  db: Db;
  dialect: Dialect;
  /** deliveries.payload (outbox.ts deliveryPayloads). */
  outbox: SealedJson;
  clock: Clock;
}

export async function destinationRoutes(app: FastifyInstance, o: DestinationRouteOptions) {
  const tags = ['destinations'];

  app.post<{ Body: CreateDestinationBody }>(
    '/v1/destinations',
    { schema: { tags, summary: 'Create a destination (secrets are stored encrypted)', body: CreateDestinationBody, response: { 201: Destination } } },
    async (req, reply) => reply.code(201).send(await o.store.create(req.body)),
  );
  app.get('/v1/destinations', { schema: { tags, summary: 'List destinations', response: { 200: PageOf(Destination) } } }, async () => ({
    data: await o.store.list(),
    next: null,
  }));
  app.get<Id>('/v1/destinations/:id', { schema: { tags, summary: 'Get a destination', params: IdParams, response: { 200: Destination } } }, async (req) =>
    o.store.get(req.params.id),
  );
  app.patch<Id & { Body: UpdateDestinationBody }>(
    '/v1/destinations/:id',
    { schema: { tags, summary: 'Configure a destination (secrets given replace those of the same name)', params: IdParams, body: UpdateDestinationBody, response: { 200: Destination } } },
    async (req) => o.store.update(req.params.id, req.body),
  );
  app.delete<Id>('/v1/destinations/:id', { schema: { tags, summary: 'Delete a destination with its queue and dead letters', params: IdParams } }, async (req, reply) => {
    await o.store.delete(req.params.id);
    return reply.code(204).send();
  });
  for (const [action, paused] of [['pause', true], ['resume', false]] as const)
    app.post<Id>(
      `/v1/destinations/:id/${action}`,
      actionRoute({ schema: { tags, summary: paused ? 'Stop delivering (changes keep queueing)' : 'Deliver again', params: IdParams, response: { 200: Destination } } }),
      async (req) => o.store.setPaused(req.params.id, paused),
    );
  app.post<Id>(
    '/v1/destinations/:id/test',
    actionRoute({
      schema: { tags, summary: 'Check the credentials and endpoint', params: IdParams, response: { 200: Type.Object({ ok: Type.Boolean(), status: Type.Union([Type.Integer(), Type.Null()]), response: Type.String() }) } },
    }),
    async (req) => {
      const d = await o.store.activeById(req.params.id);
      const r = await d.connector.testConnection(o.engine.context(d));
      return { ok: r.status !== null && r.status >= 200 && r.status < 300, status: r.status, response: r.response };
    },
  );
  app.post<Id & { Body: ResyncBody }>(
    '/v1/destinations/:id/resync',
    {
      // The body is optional (no body = diff): validate an absent one as {}.
      preValidation: async (req) => {
        req.body ??= {};
      },
      schema: {
        tags,
        summary: 'Resync the audiences: diff (queue the differences from what the platform was sent) or replace (upload every current member in a replace session)',
        params: IdParams,
        body: ResyncBody,
        response: { 202: ResyncResult },
      },
    },
    async (req, reply) => {
      const d = await o.store.activeById(req.params.id);
      const base = { db: o.db, dialect: o.dialect, outbox: o.outbox, clock: o.clock, source: o.members };
      const result = req.body?.mode === 'replace' ? await replaceResync({ ...base, identifiers: o.identifiers, profiles: o.profiles }, d) : await resync(base, d);
      o.engine.poke();
      return reply.code(202).send(result);
    },
  );
  app.get<Id & { Querystring: DeliveryQuery }>(
    '/v1/destinations/:id/deliveries',
    { config: { pii: ['data[].payload'] }, schema: { tags, summary: 'List deliveries (filter by status)', params: IdParams, querystring: DeliveryQuery, response: { 200: PageOf(Delivery) } } },
    async (req) => {
      await o.store.get(req.params.id);
      return o.deliveries.list(req.params.id, req.query);
    },
  );
  app.get<Id & { Querystring: DeliveryQuery }>(
    '/v1/destinations/:id/dead-letters',
    { config: { pii: ['data[].payload'] }, schema: { tags, summary: 'Deliveries that will not be retried, with their last response', params: IdParams, querystring: DeliveryQuery, response: { 200: PageOf(Delivery) } } },
    async (req) => {
      await o.store.get(req.params.id);
      return o.deliveries.list(req.params.id, { ...req.query, status: 'dead' });
    },
  );
  app.post<Id & { Body: DeadLetterFilter }>(
    '/v1/destinations/:id/dead-letters/delete',
    { schema: { tags, summary: 'Delete dead letters (by ids, by filter, or all)', params: IdParams, body: DeadLetterFilter, response: { 200: Type.Object({ deleted: Type.Integer() }) } } },
    async (req) => {
      await o.store.get(req.params.id);
      return { deleted: await o.deliveries.deleteDead(req.params.id, req.body ?? {}) };
    },
  );
  app.post<Id & { Body: DeadLetterFilter }>(
    '/v1/destinations/:id/dead-letters/replay',
    { schema: { tags, summary: 'Queue dead letters again (by ids, by filter, or all)', params: IdParams, body: DeadLetterFilter, response: { 202: Type.Object({ replayed: Type.Integer() }) } } },
    async (req, reply) => {
      await o.store.get(req.params.id);
      const replayed = await o.deliveries.replay(req.params.id, req.body ?? {}, o.clock.now());
      o.engine.poke();
      return reply.code(202).send({ replayed });
    },
  );
  app.get<Id>('/v1/destinations/:id/stats', { schema: { tags, summary: 'Delivery counts, circuit state and latency', params: IdParams, response: { 200: Stats } } }, async (req) => {
    const d = await o.store.get(req.params.id);
    const [counts, latencyMs] = await Promise.all([o.deliveries.counts(req.params.id), o.deliveries.latency(req.params.id)]);
    return { ...counts, circuit: o.engine.circuit(req.params.id), state: d.state, error: d.error, latencyMs };
  });

  // The link in every email: GET shows the outcome to a person, POST is RFC 8058 one-click.
  const Unsub = Type.Object({ d: Type.String(), e: Type.String(), t: Type.String() });
  const unsubscribe = async (q: { d: string; e: string; t: string }) => {
    const key = await o.store.activeById(q.d).then(
      (d) => d.secrets.unsubscribeSigningKey,
      () => undefined,
    );
    if (!key || !o.unsubscribes.verify(key, q.d, q.e, q.t)) throw new AppError('invalid_unsubscribe_link', 400, 'this unsubscribe link is not valid');
    await o.unsubscribes.record(q.d, q.e);
  };
  // Device identifiers are personal data: admins only.
  app.get<{ Querystring: { profileId: string } }>(
    '/v1/push-tokens',
    {
      schema: { tags, summary: "A profile's app push device tokens, most recently seen first", querystring: Type.Object({ profileId: Type.String({ minLength: 1 }) }), response: { 200: PageOf(PushTokenView) } },
    },
    async (req) => ({ data: await o.pushTokens.forProfile(req.query.profileId), next: null }),
  );
  app.get<{ Querystring: { d: string; e: string; t: string } }>('/v1/unsubscribe', { schema: { tags, summary: 'Unsubscribe link', security: [], querystring: Unsub } }, async (req, reply) => {
    await unsubscribe(req.query);
    return reply.type('text/plain; charset=utf-8').send('You have been unsubscribed.');
  });
  app.post<{ Querystring: { d: string; e: string; t: string } }>('/v1/unsubscribe', { schema: { tags, summary: 'One-click unsubscribe (RFC 8058)', security: [], querystring: Unsub } }, async (req, reply) => {
    await unsubscribe(req.query);
    return reply.code(204).send();
  });
}
