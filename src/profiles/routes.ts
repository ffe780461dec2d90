// The profile API (support agents, the console, integrations) and the computed-trait admin API.
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { ApiKeyStore } from '../auth/index.js';
import type { Db, Dialect } from '../storage/index.js';
import type { Clock } from '../shared/clock.js';
import { PageOf } from '../shared/paging.js';
import { AppError } from '../shared/errors.js';
import { IdentifierRef, loadRules, lookupKey, storedKeys, unmerge, type IdentityEngine } from '../identity/index.js';
import { ComputedTraits } from './computed-admin.js';
import { ProfileReader } from './reader.js';
import { ComputedTraitDefinition, MergeView, ProfileSearchResult, ProfileView, TimelineEvent } from './schema.js';

const LookupParams = Type.Object({
  idType: Type.String({ description: 'an identifier type (email, phone, user_id, order_id, …) or `profile` for a profile id' }),
  idValue: Type.String(),
});
type LookupParams = Static<typeof LookupParams>;
/** An ISO date-time query parameter as epoch ms (the schema checks the format; this guards what Date.parse refuses). */
function instant(value: string | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new AppError('invalid_query', 400, `${field} is not an ISO-8601 date-time`, { field });
  return t;
}
const Paging = Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }), cursor: Type.Optional(Type.String()) });
const TimelineQuery = Type.Composite([
  Paging,
  Type.Object({
    type: Type.Optional(Type.String({ description: 'only entries of this type (track, identify, page, screen, group, alias)' })),
    event: Type.Optional(Type.String({ description: 'only entries with this event (track) or page/screen name' })),
    sourceId: Type.Optional(Type.String({ description: 'only entries the source with this id sent (the channel: web, app, store, CRM …)' })),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'only entries at or after this time (the event’s timestamp)' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'only entries before this time' })),
  }),
]);
const UnmergeBody = Type.Object(
  { identifiers: Type.Array(IdentifierRef, { minItems: 1, description: 'the identifiers to split off into their own profile' }) },
  { additionalProperties: false },
);
const Decision = Type.Object({
  eventSeq: Type.Integer(),
  identifier: Type.Object({ type: Type.String(), value: Type.String() }),
  reason: Type.String({ description: 'limit | separated | owned_elsewhere | invalid_value' }),
  at: Type.String({ format: 'date-time' }),
});

export async function profileRoutes(
  app: FastifyInstance,
  opts: { db: Db; dialect: Dialect; clock: Clock; keys: ApiKeyStore; engine: IdentityEngine },
) {
  const reader = new ProfileReader(opts.db, opts.dialect, opts.clock);
  const computed = new ComputedTraits(opts.db, opts.dialect, opts.clock);
  const tags = ['profiles'];
  const profileOf = (p: LookupParams) => reader.resolve(p.idType, p.idValue);

  app.get<{ Querystring: { q: string; limit: number } }>(
    '/v1/profiles',
    {
      config: { pii: ['data[]'] },
      schema: {
        tags,
        summary: 'Search profiles by identifier or string trait prefix',
        querystring: Type.Object({ q: Type.String({ minLength: 1 }), limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }) }),
        response: { 200: PageOf(ProfileSearchResult) },
      },
    },
    async (req) => reader.search(req.query.q, req.query.limit),
  );
  app.get<{ Params: LookupParams }>(
    '/v1/profiles/:idType/:idValue',
    { config: { pii: ['traits', 'identities', 'computed'] }, schema: { tags, summary: 'A profile by any of its identifiers', params: LookupParams, response: { 200: ProfileView } } },
    async (req) => reader.get(await profileOf(req.params)),
  );
  app.get<{ Params: LookupParams; Querystring: Static<typeof TimelineQuery> }>(
    '/v1/profiles/:idType/:idValue/events',
    {
      config: { pii: ['data[].properties'] },
      schema: { tags, summary: 'The unified timeline, newest first', params: LookupParams, querystring: TimelineQuery, response: { 200: PageOf(TimelineEvent) } },
    },
    async (req) => {
      const { type, event, sourceId, from, to } = req.query;
      return reader.events(await profileOf(req.params), req.query.limit, req.query.cursor, { type, event, sourceId, from: instant(from, 'from'), to: instant(to, 'to') });
    },
  );
  app.get<{ Params: LookupParams }>(
    '/v1/profiles/:idType/:idValue/merges',
    { config: { pii: ['data[].identifiers'] }, schema: { tags, summary: 'Merge and unmerge history', params: LookupParams, response: { 200: PageOf(MergeView) } } },
    async (req) => reader.history(await profileOf(req.params)),
  );
  app.get<{ Params: LookupParams; Querystring: { limit: number } }>(
    '/v1/profiles/:idType/:idValue/decisions',
    {
      config: { pii: ['data[].identifier'] },
      schema: {
        tags,
        summary: 'Identifiers dropped from this profile’s events, and why',
        params: LookupParams,
        querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }) }),
        response: { 200: PageOf(Decision) },
      },
    },
    async (req) => reader.decisions(await profileOf(req.params), req.query.limit),
  );
  app.post<{ Params: LookupParams; Body: Static<typeof UnmergeBody> }>(
    '/v1/profiles/:idType/:idValue/unmerge',
    {
      schema: {
        tags,
        summary: 'Split identifiers off a wrongly merged profile; they are kept apart from now on, also on rebuilds',
        params: LookupParams,
        body: UnmergeBody,
        response: { 200: Type.Object({ id: Type.String(), profileId: Type.Union([Type.String(), Type.Null()]), newProfileId: Type.Union([Type.String(), Type.Null()]) }) },
      },
    },
    async (req) => {
      const profileId = await profileOf(req.params);
      const rules = await loadRules(opts.db);
      const keys = await storedKeys(opts.dialect, rules, req.body.identifiers.map((i) => lookupKey(rules, i.type, i.value)));
      return unmerge(opts, profileId, keys, req.principal?.actor ?? null);
    },
  );

  const ctags = ['computed traits'];
  app.get(
    '/v1/computed-traits',
    { schema: { tags: ctags, summary: 'Computed trait definitions', response: { 200: PageOf(ComputedTraitDefinition) } } },
    async () => ({ data: await computed.list(), next: null }),
  );
  app.post<{ Body: ComputedTraitDefinition }>(
    '/v1/computed-traits',
    {
      schema: { tags: ctags, summary: 'Declare a computed trait (backfilled from the timelines)', body: ComputedTraitDefinition, response: { 201: ComputedTraitDefinition } },
    },
    async (req, reply) => reply.code(201).send(await computed.create(req.body)),
  );
  app.delete<{ Params: { name: string } }>(
    '/v1/computed-traits/:name',
    { schema: { tags: ctags, summary: 'Remove a computed trait', params: Type.Object({ name: Type.String() }) } },
    async (req, reply) => {
      await computed.remove(req.params.name);
      return reply.code(204).send();
    },
  );
}
