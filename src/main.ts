// Composition root: config → storage → capabilities → HTTP server. Used by `meridian start` and by
// tests, which start real servers on ephemeral ports.
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { systemClock, type Clock } from './shared/clock.js';
import { openStorage, type Storage } from './storage/index.js';
import { EventLog, FailedEvents, logRoutes } from './log/index.js';
import { SourceStore } from './sources/index.js';
import { sourceRoutes } from './sources/routes.js';
import { ApiKeyStore } from './auth/index.js';
import { Ingestor, trackingRoutes } from './ingest/index.js';
import { createHttpApp, Metrics } from './http/index.js';

export interface Meridian {
  config: Config;
  app: FastifyInstance;
  storage: Storage;
  log: EventLog;
  sources: SourceStore;
  apiKeys: ApiKeyStore;
  /** Listens on config.host:config.port; returns the bound address. */
  listen(): Promise<string>;
  /** Graceful: stop accepting, finish in-flight requests, commit pending appends, close the store. */
  close(): Promise<void>;
}

const DEDUPE_PRUNE_INTERVAL_MS = 10 * 60_000;

export async function createMeridian(config: Config, deps: { clock?: Clock; pgSchema?: string } = {}): Promise<Meridian> {
  const clock = deps.clock ?? systemClock;
  const storage = await openStorage({ dataDir: config.dataDir, databaseUrl: config.databaseUrl, pgSchema: deps.pgSchema });
  const metrics = new Metrics();
  const log = new EventLog(storage.db, storage.dialect, { clock, dedupeWindowMs: config.dedupeWindowMs });
  const failed = new FailedEvents(storage.db, storage.dialect);
  const sources = new SourceStore(storage.db, clock);
  const apiKeys = new ApiKeyStore(storage.db, clock, config.adminKey);
  const ingestor = new Ingestor({
    sources,
    log,
    failed,
    metrics,
    clock,
    limits: { maxEventBytes: config.maxEventBytes, futureToleranceMs: config.futureToleranceMs },
  });

  let ready = false;
  const app = await createHttpApp({ config, metrics, isReady: () => ready });
  await app.register(trackingRoutes, { ingestor, maxBatchBytes: config.maxBatchBytes, maxDepth: config.maxDepth });
  await app.register(sourceRoutes, { sources, keys: apiKeys, onChange: () => ingestor.forgetKeys() });
  await app.register(logRoutes, { log, failed, keys: apiKeys });

  const prune = setInterval(() => {
    log.pruneDedupe().catch((err) => app.log.error({ err }, 'dedupe prune failed'));
  }, DEDUPE_PRUNE_INTERVAL_MS);
  prune.unref();

  return {
    config,
    app,
    storage,
    log,
    sources,
    apiKeys,
    async listen() {
      await log.pruneDedupe();
      const address = await app.listen({ port: config.port, host: config.host });
      ready = true;
      app.log.info({ store: storage.location }, 'meridian ready');
      return address;
    },
    async close() {
      ready = false;
      clearInterval(prune);
      await app.close();
      await log.close();
      await storage.close();
    },
  };
}
