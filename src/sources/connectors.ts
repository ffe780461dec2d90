// Wires the source connectors (webhooks, custom transformations, MQTT, database sync) into the app:
// one call builds the transformation hook the Ingestor needs, a second registers the routes and
// returns the background workers, so main.ts stays a list of capabilities.
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { ApiKeyStore } from '../auth/index.js';
import type { Ingestor } from '../ingest/index.js';
import type { FailedEvents, Replayer, StageFault } from '../log/index.js';
import type { Clock } from '../shared/clock.js';
import type { SecretBox } from '../shared/secret-box.js';
import type { Storage } from '../storage/index.js';
import type { SealedJson } from '../shared/encryption/sealed-json.js';
import type { Registry } from 'prom-client';
import { ConnectorStore } from './connector-store.js';
import { registerConnectorMetrics } from './connector-metrics.js';
import { SandboxProcess, Transformer, transformationRoutes } from './transform/index.js';
import { WebhookFetchQueue, webhookRoutes } from './webhooks/index.js';
import { MqttWorker, mqttRoutes } from './mqtt/index.js';
import { DbSyncWorker, dbSyncRoutes } from './db-sync/index.js';
import type { SourceStore } from './store.js';

/** Per call of a transformation; generous for mapping code, short enough to stop a runaway loop. */
const TRANSFORM_LIMITS = { timeoutMs: 1000, memoryMb: 32 };

interface Worker {
  start(): void;
  stop(): Promise<void>;
}

export function createSourceConnectors(deps: {
  storage: Storage;
  failed: FailedEvents;
  /** stage_failures.item (log's stageItems). */
  items: SealedJson;
  clock: Clock;
  sources: SourceStore;
  box: SecretBox;
  /** Tests only: makes chosen rows fail (createMeridian's stageFault). */
  fault?: StageFault;
}) {
  const connectors = new ConnectorStore(deps.storage.db, deps.storage.dialect, deps.clock, deps.box);
  let log: FastifyBaseLogger | undefined;
  const sandbox = new SandboxProcess(TRANSFORM_LIMITS, (exit) => log?.warn(exit, 'transformation sandbox process crashed; restarted'));
  const transformer = new Transformer({ connectors, failed: deps.failed, clock: deps.clock, sandbox });
  return {
    connectors,
    /** The Ingestor's `transform` hook. */
    transform: transformer.apply,
    /** Registers the routes; returns the background workers and what replays the rows database sync set aside. */
    async register(app: FastifyInstance, opts: { ingestor: Ingestor; keys: ApiKeyStore; registry: Registry }): Promise<{ workers: Worker[]; replayer: Replayer }> {
      log = app.log;
      registerConnectorMetrics(opts.registry, deps.storage.db);
      const fetches = new WebhookFetchQueue({ db: deps.storage.db, dialect: deps.storage.dialect, connectors, ingestor: opts.ingestor, failed: deps.failed, clock: deps.clock, log: app.log });
      await app.register(webhookRoutes, { connectors, ingestor: opts.ingestor, failed: deps.failed, clock: deps.clock, keys: opts.keys, fetches });
      await app.register(transformationRoutes, { connectors, transformer, sandbox, sources: deps.sources, keys: opts.keys });
      const workerDeps = { connectors, ingestor: opts.ingestor, failed: deps.failed, clock: deps.clock, log: app.log };
      const mqtt = new MqttWorker(workerDeps);
      const dbSync = new DbSyncWorker({ ...workerDeps, db: deps.storage.db, items: deps.items, fault: deps.fault });
      await app.register(mqttRoutes, { connectors, worker: mqtt, keys: opts.keys });
      await app.register(dbSyncRoutes, { connectors, worker: dbSync, keys: opts.keys });
      return { workers: [mqtt, dbSync, fetches, { start() {}, stop: async () => sandbox.close() }], replayer: dbSync };
    },
  };
}
