// Admin API of MQTT sources: subscribe a source to topics on a broker, read the set-up and its live
// status, stop it.
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { ApiKeyStore } from '../../auth/index.js';
import { AppError } from '../../shared/errors.js';
import type { ConnectorStore } from '../connector-store.js';
import { MqttSource, PutMqttBody, type MqttSettings } from './schema.js';
import type { MqttWorker } from './worker.js';

const IdParams = Type.Object({ id: Type.String() });

export async function mqttRoutes(app: FastifyInstance, opts: { connectors: ConnectorStore; worker: MqttWorker; keys: ApiKeyStore }) {
  const { connectors } = opts;
  const tags = ['sources'];
  const view = async (sourceId: string) => {
    const c = await connectors.require<MqttSettings>(sourceId, 'mqtt');
    return { ...c.config, sourceId, hasPassword: c.hasSecret, status: opts.worker.status(sourceId, c.lastError), updatedAt: new Date(c.updatedAt).toISOString() };
  };

  app.put<{ Params: { id: string }; Body: PutMqttBody }>(
    '/v1/sources/:id/mqtt',
    { schema: { tags, summary: 'Subscribe the source to MQTT topics', params: IdParams, body: PutMqttBody, response: { 200: MqttSource } } },
    async (req) => {
      const { password, ...settings } = req.body;
      const d = settings.mapping.deviceId;
      if ((d.topicLevel === undefined) === (d.field === undefined))
        throw new AppError('invalid_field', 400, 'mapping.deviceId needs exactly one of topicLevel and field', { field: 'mapping.deviceId' });
      await connectors.put(req.params.id, 'mqtt', settings satisfies MqttSettings, password);
      await opts.worker.sync();
      return view(req.params.id);
    },
  );
  app.get<{ Params: { id: string } }>(
    '/v1/sources/:id/mqtt',
    { schema: { tags, summary: "Get the source's MQTT set-up and status", params: IdParams, response: { 200: MqttSource } } },
    async (req) => view(req.params.id),
  );
  app.delete<{ Params: { id: string } }>(
    '/v1/sources/:id/mqtt',
    { schema: { tags, summary: 'Unsubscribe the source', params: IdParams } },
    async (req, reply) => {
      await connectors.remove(req.params.id, 'mqtt');
      await opts.worker.sync();
      return reply.code(204).send();
    },
  );
}
