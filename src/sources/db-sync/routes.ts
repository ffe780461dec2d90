// Admin API of database sync sources: point a source at a table or query, read its state, run it now.
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { ApiKeyStore } from '../../auth/index.js';
import { AppError } from '../../shared/errors.js';
import { actionRoute } from '../../shared/action-route.js';
import type { ConnectorStore } from '../connector-store.js';
import { driverOf } from './reader.js';
import { DbSyncSource, PutDbSyncBody, RunResult, type DbSyncSettings, type DbSyncState } from './schema.js';
import type { DbSyncWorker } from './worker.js';

const IdParams = Type.Object({ id: Type.String() });
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export async function dbSyncRoutes(app: FastifyInstance, opts: { connectors: ConnectorStore; worker: DbSyncWorker; keys: ApiKeyStore }) {
  const { connectors } = opts;
  const tags = ['sources'];
  const view = async (sourceId: string) => {
    const c = await connectors.require<DbSyncSettings & { driver: string }, DbSyncState>(sourceId, 'db_sync');
    return { ...c.config, sourceId, cursorState: c.state?.cursor ?? null, lastRunAt: iso(c.lastRunAt), lastError: c.lastError, updatedAt: iso(c.updatedAt)! };
  };

  app.put<{ Params: { id: string }; Body: PutDbSyncBody }>(
    '/v1/sources/:id/db-sync',
    { schema: { tags, summary: 'Sync rows of a PostgreSQL or MySQL/MariaDB table or query into the source', params: IdParams, body: PutDbSyncBody, response: { 200: DbSyncSource } } },
    async (req) => {
      const { connectionUrl, ...settings } = req.body;
      if ((settings.table === undefined) === (settings.query === undefined))
        throw new AppError('invalid_field', 400, 'give exactly one of table and query', { field: 'table' });
      if (settings.mapping.kind === 'track' && !settings.mapping.event && !settings.mapping.eventColumn)
        throw new AppError('invalid_field', 400, 'a track mapping needs mapping.event or mapping.eventColumn', { field: 'mapping.event' });
      if (!settings.mapping.userIdColumn && !settings.mapping.anonymousIdColumn)
        throw new AppError('invalid_field', 400, 'the mapping needs userIdColumn or anonymousIdColumn', { field: 'mapping.userIdColumn' });
      const existing = await connectors.get<DbSyncSettings & { driver: string }>(req.params.id, 'db_sync');
      if (!connectionUrl && !existing) throw new AppError('missing_field', 400, 'connectionUrl is required on first set-up', { field: 'connectionUrl' });
      const driver = connectionUrl ? driverOf(connectionUrl) : existing!.config.driver;
      // Another table, query or cursor column makes the stored cursor meaningless: start over.
      const reset = !!existing && (existing.config.table !== settings.table || existing.config.query !== settings.query || JSON.stringify(existing.config.cursor) !== JSON.stringify(settings.cursor) || (!!connectionUrl && driver !== existing.config.driver));
      await connectors.put(req.params.id, 'db_sync', { ...settings, driver }, connectionUrl, reset);
      return view(req.params.id);
    },
  );
  app.get<{ Params: { id: string } }>(
    '/v1/sources/:id/db-sync',
    { schema: { tags, summary: "Get the source's database sync and its cursor", params: IdParams, response: { 200: DbSyncSource } } },
    async (req) => view(req.params.id),
  );
  app.post<{ Params: { id: string } }>(
    '/v1/sources/:id/db-sync/run',
    actionRoute({ schema: { tags, summary: 'Run the sync now and report what it read', params: IdParams, response: { 200: RunResult } } }),
    async (req) => opts.worker.runNow(req.params.id),
  );
  app.delete<{ Params: { id: string } }>(
    '/v1/sources/:id/db-sync',
    { schema: { tags, summary: 'Stop syncing (the cursor is forgotten)', params: IdParams } },
    async (req, reply) => {
      await connectors.remove(req.params.id, 'db_sync');
      return reply.code(204).send();
    },
  );
}
