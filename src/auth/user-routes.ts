// Users, roles and API keys: the access settings of the console (Settings → Users, Roles, API keys).
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Db } from '../storage/index.js';
import { AppError } from '../shared/errors.js';
import { PageOf } from '../shared/paging.js';
import type { ApiKeyStore } from './api-keys.js';
import { assertMayGrant, assertOwnerChange } from './grants.js';
import type { RoleStore } from './role-store.js';
import {
  ApiKey,
  ApiKeyWithSecret,
  CreateApiKeyBody,
  CreateRoleBody,
  CreatedUser,
  CreateUserBody,
  RoleParams,
  RoleView,
  UpdateRoleBody,
  UpdateUserBody,
  User,
} from './schema.js';
import type { SessionStore } from './session-store.js';
import type { UserStore } from './user-store.js';

const IdParams = Type.Object({ id: Type.String({ maxLength: 100 }) });
type Id = { Params: { id: string } };

export interface AccessRouteOptions {
  db: Db;
  users: UserStore;
  sessions: SessionStore;
  roles: RoleStore;
  keys: ApiKeyStore;
}

export async function userRoutes(app: FastifyInstance, o: AccessRouteOptions) {
  const tags = ['users'];
  app.get('/v1/users', { schema: { tags, summary: 'Console users', response: { 200: PageOf(User) } } }, async () => o.users.list());
  app.post<{ Body: CreateUserBody }>(
    '/v1/users',
    { schema: { tags, summary: 'Create a user (a generated password is returned once when none is given)', body: CreateUserBody, response: { 201: CreatedUser } } },
    async (req, reply) => {
      await assertMayGrant(o.roles, req.principal!, req.body.role);
      const { user, password } = await o.users.create(req.body);
      req.auditDetails = { user: user.id, email: user.email };
      return reply.code(201).send({ ...user, ...(password ? { password } : {}) });
    },
  );
  app.get<Id>('/v1/users/:id', { schema: { tags, summary: 'A user', params: IdParams, response: { 200: User } } }, async (req) => o.users.get(req.params.id));
  app.patch<Id & { Body: UpdateUserBody }>(
    '/v1/users/:id',
    { schema: { tags, summary: "Rename, change the role of, disable or set the password of a user (ends the user's sessions when disabled or given a password)", params: IdParams, body: UpdateUserBody, response: { 200: User } } },
    async (req) => {
      const target = await o.users.row(req.params.id);
      const body = req.body;
      const demotes = (body.role !== undefined && body.role !== 'owner') || body.disabled === true;
      await assertOwnerChange(o.db, req.principal!, target, demotes);
      if (body.role !== undefined) await assertMayGrant(o.roles, req.principal!, body.role);
      if (body.role !== undefined && body.role !== target.role) req.auditDetails = { previousRole: target.role };
      const user = await o.users.update(req.params.id, body);
      if (body.disabled === true || body.password !== undefined) await o.sessions.endAllOf(req.params.id);
      return user;
    },
  );
  app.delete<Id>('/v1/users/:id', { schema: { tags, summary: 'Delete a user and end their sessions', params: IdParams } }, async (req, reply) => {
    const target = await o.users.row(req.params.id);
    await assertOwnerChange(o.db, req.principal!, target, true);
    if (target.id === req.principal!.id) throw new AppError('forbidden', 403, 'you cannot delete yourself');
    await o.sessions.endAllOf(target.id);
    await o.db.deleteFrom('users').where('id', '=', target.id).execute();
    return reply.code(204).send();
  });
}

export async function roleRoutes(app: FastifyInstance, o: AccessRouteOptions) {
  const tags = ['roles'];
  type Name = { Params: { name: string } };
  app.get('/v1/roles', { schema: { tags, summary: 'Built-in and custom roles with their permissions', response: { 200: PageOf(RoleView) } } }, async () => ({
    data: await o.roles.list(),
    next: null,
  }));
  app.get<Name>('/v1/roles/:name', { schema: { tags, summary: 'A role', params: RoleParams, response: { 200: RoleView } } }, async (req) => o.roles.get(req.params.name));
  app.post<{ Body: CreateRoleBody }>('/v1/roles', { schema: { tags, summary: 'Create a custom role', body: CreateRoleBody, response: { 201: RoleView } } }, async (req, reply) => {
    assertHolds(req.principal!.permissions, req.body.permissions);
    return reply.code(201).send(await o.roles.create(req.body));
  });
  app.patch<Name & { Body: UpdateRoleBody }>(
    '/v1/roles/:name',
    { schema: { tags, summary: 'Change a custom role (its users get the new permissions at their next request)', params: RoleParams, body: UpdateRoleBody, response: { 200: RoleView } } },
    async (req) => {
      if (req.body.permissions) assertHolds(req.principal!.permissions, req.body.permissions);
      return o.roles.update(req.params.name, req.body);
    },
  );
  app.delete<Name>('/v1/roles/:name', { schema: { tags, summary: 'Delete a custom role no user or API key has', params: RoleParams } }, async (req, reply) => {
    await o.roles.remove(req.params.name);
    return reply.code(204).send();
  });
}

export async function apiKeyRoutes(app: FastifyInstance, o: AccessRouteOptions) {
  const tags = ['api keys'];
  app.get('/v1/api-keys', { schema: { tags, summary: 'API keys (never the keys themselves)', response: { 200: PageOf(ApiKey) } } }, async () => o.keys.list());
  app.post<{ Body: CreateApiKeyBody }>(
    '/v1/api-keys',
    { schema: { tags, summary: 'Create an API key with a role and an optional expiry (the key is shown once)', body: CreateApiKeyBody, response: { 201: ApiKeyWithSecret } } },
    async (req, reply) => {
      await assertMayGrant(o.roles, req.principal!, req.body.role);
      const created = await o.keys.create(req.body.name, req.body.role, req.body.expiresAt === undefined ? undefined : Date.parse(req.body.expiresAt));
      req.auditDetails = { key: created.id };
      return reply.code(201).send(created);
    },
  );
  app.delete<Id>('/v1/api-keys/:id', { schema: { tags, summary: 'Revoke an API key', params: IdParams, response: { 200: ApiKey } } }, async (req) => o.keys.revoke(req.params.id));
}

function assertHolds(held: ReadonlySet<string>, wanted: readonly string[]) {
  const missing = wanted.filter((p) => !held.has(p));
  if (missing.length > 0) throw new AppError('forbidden', 403, `you cannot grant permissions you do not have: ${missing.join(', ')}`, { missing });
}
