// Composition root: config → storage → capabilities → HTTP server. Used by `meridian start` and by
// tests, which start real servers on ephemeral ports.
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { systemClock, type Clock } from './shared/clock.js';
import { openStorage, type Storage } from './storage/index.js';
import { EventLog, FailedEvents, logRoutes, type Stage } from './log/index.js';
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
  /**
   * The in-process pipeline stages in data-flow order (identity → segments → destinations …). Each
   * capability registers its stage here; they start with listen() and stop with close().
   */
  stages: Stage<unknown>[];
  /** Background workers that are not feed consumers (delivery, timers): started/stopped with the server. */
  workers: { start(): void; stop(): Promise<void> }[];
  /** Runs every stage until the whole pipeline is caught up (tests, imports, benchmarks). */
  drainPipeline(): Promise<void>;
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

  const stages: Stage<unknown>[] = [];
  const workers: { start(): void; stop(): Promise<void> }[] = [];

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
    stages,
    workers,
    async drainPipeline() {
      for (let progressed = true; progressed; ) {
        progressed = false;
        for (const stage of stages) if ((await stage.drain()) > 0) progressed = true;
      }
    },
    async listen() {
      await log.pruneDedupe();
      const address = await app.listen({ port: config.port, host: config.host });
      for (const stage of stages) stage.start();
      for (const worker of workers) worker.start();
      ready = true;
      app.log.info({ store: storage.location }, 'meridian ready');
      return address;
    },
    async close() {
      ready = false;
      clearInterval(prune);
      await app.close();
      await log.close();
      for (const worker of workers) await worker.stop();
      for (const stage of stages) await stage.stop();
      await storage.close();
    },
  };
}
