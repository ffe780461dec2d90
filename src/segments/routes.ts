// Admin API for segments: definitions, preview, members (paged and CSV), history, templates and a
// profile's memberships.
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { ApiKeyStore } from '../auth/index.js';
import { AppError } from '../shared/errors.js';
import { PageOf } from '../shared/paging.js';
import { actionRoute } from '../shared/action-route.js';
import type { Db, Dialect } from '../storage/index.js';
import type { SegmentService } from './service.js';
import { membershipsOf } from './store.js';
import { TEMPLATES } from './templates.js';
import { contactsOf, memberRows, membersCsv, membersNdjson, noContacts } from './members-export.js';
import type { RequestMasker } from '../privacy/index.js';
import {
  CreateSegmentBody,
  FromTemplateBody,
  MemberWithContacts,
  MembershipChange,
  PageQuery,
  Preview,
  PreviewBody,
  ProfileMembership,
  Segment,
  Template,
  UpdateSegmentBody,
} from './schema.js';

const IdParams = Type.Object({ id: Type.String() });

export async function segmentRoutes(app: FastifyInstance, opts: { db: Db; dialect: Dialect; segments: SegmentService; keys: ApiKeyStore; maskerOf: RequestMasker }) {
  const { segments } = opts;
  const tags = ['segments'];

  app.post<{ Body: CreateSegmentBody }>(
    '/v1/segments',
    { schema: { tags, summary: 'Create a segment (members are computed at once)', body: CreateSegmentBody, response: { 201: Segment } } },
    async (req, reply) => reply.code(201).send(await segments.create(req.body)),
  );
  app.get(
    '/v1/segments',
    { schema: { tags, summary: 'List segments', response: { 200: PageOf(Segment) } } },
    async () => ({ data: await segments.list(), next: null }),
  );
  app.post<{ Body: PreviewBody }>(
    '/v1/segments/preview',
    { config: { pii: ['sample[]'] }, schema: { tags, summary: 'Count and sample the audience of a rule without saving it', body: PreviewBody, response: { 200: Preview } } },
    async (req) => segments.preview(req.body.rule, req.body.sampleSize),
  );
  app.post(
    '/v1/segments/recompute',
    actionRoute({
      schema: {
        tags,
        summary: 'Recompute every segment in batch',
        response: { 200: PageOf(Type.Object({ segmentId: Type.String(), entered: Type.Integer(), exited: Type.Integer() })) },
      },
    }),
    async () => ({ data: await segments.recomputeAll(), next: null }),
  );
  app.get<{ Params: { id: string } }>(
    '/v1/segments/:id',
    { schema: { tags, summary: 'Get a segment', params: IdParams, response: { 200: Segment } } },
    async (req) => segments.get(req.params.id),
  );
  app.patch<{ Params: { id: string }; Body: UpdateSegmentBody }>(
    '/v1/segments/:id',
    { schema: { tags, summary: 'Change a segment (a new rule recomputes its members)', params: IdParams, body: UpdateSegmentBody, response: { 200: Segment } } },
    async (req) => segments.update(req.params.id, req.body),
  );
  app.delete<{ Params: { id: string } }>(
    '/v1/segments/:id',
    { schema: { tags, summary: 'Delete a segment (every member exits)', params: IdParams } },
    async (req, reply) => {
      await segments.delete(req.params.id);
      return reply.code(204).send();
    },
  );
  const MembersQuery = Type.Intersect([
    PageQuery,
    Type.Object({
      contacts: Type.Optional(
        Type.Boolean({ default: false, description: "add each member's email, phone and name, masked for the caller's access to personal data (needs profiles:read too)" }),
      ),
    }),
  ]);
  app.get<{ Params: { id: string }; Querystring: PageQuery & { contacts?: boolean } }>(
    '/v1/segments/:id/members',
    {
      // The contacts are profile data: masked like the profile API masks them.
      config: { pii: ['data[].contacts'] },
      schema: {
        tags,
        summary: 'Current members, by profile id (with their contacts on ?contacts=true)',
        params: IdParams,
        querystring: MembersQuery,
        response: { 200: PageOf(MemberWithContacts) },
      },
    },
    async (req) => {
      if (req.query.contacts && !req.principal?.permissions.has('profiles:read'))
        throw new AppError('forbidden', 403, `contacts need the permission profiles:read, which the role ${req.principal?.role} does not have`, { permission: 'profiles:read' });
      const page = await segments.members(req.params.id, req.query.limit ?? 100, req.query.cursor);
      if (!req.query.contacts) return page;
      const contacts = await contactsOf(opts.db, opts.dialect, page.data.map((m) => m.profileId));
      return { ...page, data: page.data.map((m) => ({ ...m, contacts: contacts.get(m.profileId) ?? noContacts() })) };
    },
  );
  const ExportQuery = Type.Object({ contacts: Type.Boolean({ default: false, description: "add each member's email, phone and name (masked for the caller's access)" }) });
  const exportRoute = (format: 'csv' | 'ndjson') =>
    app.get<{ Params: { id: string }; Querystring: { contacts: boolean } }>(
      `/v1/segments/:id/members.${format}`,
      { schema: { tags, summary: `Export all current members as ${format.toUpperCase()}`, params: IdParams, querystring: ExportQuery } },
      async (req, reply) => {
        // Fails before the 200 is sent when the segment does not exist.
        await segments.get(req.params.id);
        const mask = await opts.maskerOf(req);
        const rows = memberRows(opts.db, opts.dialect, segments, req.params.id, req.query.contacts, mask);
        const lines = format === 'csv' ? membersCsv(rows, req.query.contacts) : membersNdjson(rows);
        return reply
          .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
          .header('content-disposition', `attachment; filename="segment-${req.params.id}.${format}"`)
          .send(Readable.from(lines));
      },
    );
  exportRoute('csv');
  exportRoute('ndjson');
  app.get<{ Params: { id: string }; Querystring: PageQuery & { profileId?: string } }>(
    '/v1/segments/:id/history',
    {
      schema: {
        tags,
        summary: 'Enter/exit history, newest first, with the triggering log event',
        params: IdParams,
        querystring: Type.Intersect([PageQuery, Type.Object({ profileId: Type.Optional(Type.String()) })]),
        response: { 200: PageOf(MembershipChange) },
      },
    },
    async (req) => segments.history(req.params.id, req.query.limit ?? 100, req.query.cursor, req.query.profileId),
  );
  app.get<{ Params: { profileId: string } }>(
    '/v1/segment-memberships/:profileId',
    { schema: { tags, summary: "A profile's current segments", params: Type.Object({ profileId: Type.String() }), response: { 200: PageOf(ProfileMembership) } } },
    async (req) => ({ data: await membershipsOf(opts.db, req.params.profileId), next: null }),
  );
  app.get(
    '/v1/segment-templates',
    { schema: { tags, summary: 'Built-in audience templates', response: { 200: PageOf(Template) } } },
    async () => ({ data: TEMPLATES, next: null }),
  );
  app.post<{ Params: { name: string }; Body: FromTemplateBody }>(
    '/v1/segments/from-template/:name',
    {
      schema: { tags, summary: 'Create a segment from a built-in template', params: Type.Object({ name: Type.String() }), body: Type.Optional(FromTemplateBody), response: { 201: Segment } },
    },
    async (req, reply) => {
      const t = TEMPLATES.find((x) => x.name === req.params.name);
      if (!t) throw new AppError('template_not_found', 404, `no template ${req.params.name}`, { known: TEMPLATES.map((x) => x.name) });
      const segment = await segments.create({ name: req.body?.name ?? t.title, description: t.description, rule: t.rule, tag: req.body?.tag }, t.name);
      return reply.code(201).send(segment);
    },
  );
}
