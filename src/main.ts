// Composition root: config → storage → capabilities → HTTP server. Used by `meridian start` and by
// tests, which start real servers on ephemeral ports.
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { systemClock, type Clock } from './shared/clock.js';
import { openStorage, type Storage } from './storage/index.js';
import { EventLog, FailedEvents, logRoutes, logStageFailures, pipelineHealth, pipelineRoutes, registerStageMetrics, stageItems, type Stage, type StageFault } from './log/index.js';
import { SourceStore } from './sources/index.js';
import { sourceRoutes } from './sources/routes.js';
import { createPersonalisation } from './personalisation/index.js';
import { createAccess, type Access, type ApiKeyStore } from './auth/index.js';
import { Ingestor, collectionCors, sdkRoutes, trackingRoutes } from './ingest/index.js';
import { createHttpApp, serveConsole, installCors, Metrics } from './http/index.js';
import { Importer, ImportStore, importRoutes } from './sources/import/index.js';
import { AdSpendStore, adReportRoutes, campaignTouchesStage } from './sources/ads/index.js';
import { TrackingPlans, TrackingPlanStore, trackingPlanRoutes } from './sources/tracking-plans/index.js';
import { sourceHealthRoutes } from './sources/health/index.js';
import { createDestinations, deliveryPayloads } from './destinations/index.js';
import { createSourceConnectors } from './sources/connectors.js';
import { IdentityEngine, identitySealedColumns, identityStage, sealIdentityAtStart } from './identity/index.js';
import { PiiVault } from './shared/encryption/pii-vault.js';
import { identityRoutes } from './identity/routes.js';
import { profileRoutes } from './profiles/routes.js';
import { createSegments } from './segments/index.js';
import { secretBoxFor } from './shared/secret-box.js';
import { verifySecretKey } from './shared/key-check.js';
import { analyticsRoutes, analyticsStage, createPredictions, overviewRoutes, type PredictionService } from './analytics/index.js';
import { ClassificationStore, classificationRoutes, createConsent, createPrivacy, FieldCipher, installMasking, keyRoutes, loadKeks, maskerOf, Reencryptor, type FieldSetting, type RequestMasker } from './privacy/index.js';
import { PipelineThread } from './pipeline/index.js';
import { createJourneys, enrollmentContexts } from './journeys/index.js';

export interface Meridian {
  config: Config;
  app: FastifyInstance;
  storage: Storage;
  log: EventLog;
  sources: SourceStore;
  apiKeys: ApiKeyStore;
  /** Lifetime models, purchase intent and recommendations: refit jobs (run by the worker). */
  predictions: PredictionService;
  /** Users, roles, sessions, the audit log and alerts. */
  access: Access;
  /** Historical imports (CLI and API). */
  importer: Importer;
  /** Data-subject requests (their job queue) and the suppression list. */
  privacy: Awaited<ReturnType<typeof createPrivacy>>;
  /**
   * The in-process pipeline stages in data-flow order (identity → segments → destinations …). Each
   * capability registers its stage here; they start with listen() and stop with close().
   */
  stages: Stage<unknown>[];
  /** Background workers that are not feed consumers (delivery, timers): started/stopped with the server. */
  workers: { start(): void; stop(): Promise<void> }[];
  /** Journeys' durable timers (tests move an injected clock, then `journeys.tick()`). */
  journeys: { tick(): Promise<number> };
  /** Runs every stage until the whole pipeline is caught up (tests, imports, benchmarks). */
  drainPipeline(): Promise<void>;
  /** Listens on config.host:config.port; returns the bound address. */
  listen(): Promise<string>;
  /** Graceful: stop accepting, finish in-flight requests, commit pending appends, close the store. */
  close(): Promise<void>;
}

const DEDUPE_PRUNE_INTERVAL_MS = 10 * 60_000;

export interface MeridianDeps {
  clock?: Clock;
  /** PostgreSQL only: the schema to use (tests isolate themselves this way). */
  pgSchema?: string;
  /** Tests only: makes chosen pipeline items fail, to exercise fault isolation (never set in production). */
  stageFault?: StageFault;
  /** After how long a failing or stalled stage is reported stuck (default 60 s; tests shorten it). */
  stuckAfterMs?: number;
  /**
   * Role all: run the pipeline stages in a thread of their own (src/pipeline/host.ts) instead of on the
   * API's event loop. `meridian start` does (unless MERIDIAN_PIPELINE_THREAD=0); tests that build
   * Meridian in-process keep the stages inline unless they ask for it. Not with `stageFault`.
   */
  pipelineThread?: boolean;
  /** Tests only: where log lines go (default stdout). */
  logStream?: NodeJS.WritableStream;
}

export async function createMeridian(config: Config, deps: MeridianDeps = {}): Promise<Meridian> {
  const clock = deps.clock ?? systemClock;
  // One key for every capability that seals secrets; refused before anything is opened when missing.
  const box = secretBoxFor(config);
  const keks = loadKeks(config);
  const storage = await openStorage({ dataDir: config.dataDir, databaseUrl: config.databaseUrl, pgSchema: deps.pgSchema });
  // Field encryption at rest (off without a KEK); refused at start when values were sealed under a KEK not given.
  const cipher = await verifySecretKey(storage.db, box, clock.now())
    .then(() => FieldCipher.open(storage.db, clock, keks))
    .catch(async (err) => {
      await storage.close();
      throw err;
    });
  const metrics = new Metrics();
  const log = new EventLog(storage.db, storage.dialect, { clock, dedupeWindowMs: config.dedupeWindowMs, logFile: storage.logFile, cipher });
  const failed = new FailedEvents(storage.db, storage.dialect, cipher);
  const sources = new SourceStore(storage.db, clock);
  const trackingPlans = new TrackingPlans(new TrackingPlanStore(storage.db, storage.dialect), failed, clock);
  // Set-aside pipeline items carry events: sealed at rest like them (every stage gets it below).
  const stageFailureItems = stageItems(storage.dialect, cipher);
  const sourceConnectors = createSourceConnectors({ storage, failed, items: stageFailureItems, clock, sources, box, fault: deps.stageFault });
  const ingestor = new Ingestor({
    sources,
    log,
    failed,
    metrics,
    clock,
    limits: { maxEventBytes: config.maxEventBytes, futureToleranceMs: config.futureToleranceMs },
    screen: trackingPlans.screen,
    transform: sourceConnectors.transform,
  });

  let ready = false;
  const app = await createHttpApp({ config, metrics, isReady: () => ready, logStream: deps.logStream });
  // Masking is installed before any route: every route declaring `config.pii` goes through it.
  const classification = new ClassificationStore(storage.db, clock, configuredPii(config.piiFields));
  installMasking(app, classification);
  const masker: RequestMasker = (req) => maskerOf(classification, req);
  installCors(app, { collection: collectionCors(ingestor), adminOrigins: config.adminOrigins });
  // Before any other route: every route passes the permission table and the audit recorder.
  const access = await createAccess({ app, db: storage.db, dialect: storage.dialect, clock, config, box, exportSize: segmentExportSize(storage) });
  const apiKeys = access.keys;
  await app.register(trackingRoutes, { ingestor, maxBatchBytes: config.maxBatchBytes, maxDepth: config.maxDepth });
  await app.register(sdkRoutes, { ingestor, sources, publicUrl: config.publicUrl });
  await app.register(sourceRoutes, { sources, keys: apiKeys, onChange: () => ingestor.forgetKeys() });
  await app.register(logRoutes, { log, failed, keys: apiKeys, sources, maskerOf: masker });
  await app.register(classificationRoutes, { store: classification, keys: apiKeys });
  // With a KEK the identity graph and profile store seal personal data and key it by blind index.
  if (cipher) new PiiVault(cipher, (q) => classification.classifier(q)).attach(storage.dialect);
  const reencryptor = cipher && new Reencryptor(cipher, [failed.sealedColumn(), log.sealedColumn(), deliveryPayloads(storage.dialect, cipher).column(storage.db), enrollmentContexts(storage.dialect, cipher).column(storage.db), stageItems(storage.dialect, cipher).column(storage.db), ...identitySealedColumns(storage.db)], (err) => app.log.error({ err }, 're-encryption failed'));
  await app.register(keyRoutes, { cipher, reencryptor, keys: apiKeys });
  const importer = new Importer({ store: new ImportStore(storage.db, storage.dialect), log, sources, clock, maxEventBytes: config.maxEventBytes, screen: trackingPlans.screen });
  await app.register(importRoutes, { importer, store: importer.store, keys: apiKeys, dataDir: config.dataDir });
  await app.register(adReportRoutes, { store: new AdSpendStore(storage.db, storage.dialect), keys: apiKeys, clock });
  await app.register(trackingPlanRoutes, { plans: trackingPlans, sources, keys: apiKeys, clock });
  await app.register(sourceHealthRoutes, { db: storage.db, sources, keys: apiKeys, clock });

  const stages: Stage<unknown>[] = [];
  // Identity resolution comes first: every later stage reads the profiles it maintains.
  const identityEngine = new IdentityEngine(storage.dialect, clock, log.payloads);
  // A KEK just set: profiles written in clear are re-derived from the log, sealed, in the background.
  if (cipher && config.role !== 'api' && (await sealIdentityAtStart({ db: storage.db, dialect: storage.dialect, clock })))
    app.log.info('field encryption: identity is rebuilt from the event log to seal profiles stored in clear');
  const identity = identityStage({ db: storage.db, dialect: storage.dialect, log, engine: identityEngine, onError: logStageFailures(app.log) });
  stages.push(identity as unknown as Stage<unknown>);
  await app.register(identityRoutes, { db: storage.db, dialect: storage.dialect, clock, keys: apiKeys, onRebuild: () => identity.poke() });
  await app.register(profileRoutes, { db: storage.db, dialect: storage.dialect, clock, keys: apiKeys, engine: identityEngine });
  // Segments follow identity: they consume its profile-change feed and publish membership changes.
  const segments = await createSegments({ app, db: storage.db, dialect: storage.dialect, clock, keys: apiKeys, maskerOf: masker });
  stages.push(segments.stage as unknown as Stage<unknown>);
  const workers: { start(): void; stop(): Promise<void> }[] = [];
  workers.push(segments.scheduler);
  stages.push(campaignTouchesStage(storage.db, storage.dialect, log, logStageFailures(app.log)) as unknown as Stage<unknown>);
  stages.push(analyticsStage(storage.db, storage.dialect, log, logStageFailures(app.log)) as unknown as Stage<unknown>);
  workers.push({ start() {}, stop: () => importer.stop() });
  // At start, values left in clear (encryption just turned on) or under an older data key are moved to the active one.
  if (reencryptor) workers.push({ start: () => void reencryptor.start(), stop: () => reencryptor.stop() });

  const consent = createConsent(storage.db, storage.dialect, clock);
  const destinations = await createDestinations({ app, db: storage.db, dialect: storage.dialect, clock, log, keys: apiKeys, box, registry: metrics.registry, consent });
  stages.push(...(destinations.stages as Stage<unknown>[]));
  workers.push(destinations.worker);
  // Consent and data-subject requests; the suppression list screens every append to the log from here on.
  const privacy = await createPrivacy({
    app, db: storage.db, dialect: storage.dialect, clock, log, keys: apiKeys, box, consent,
    pokeDeliveries: () => destinations.engine.poke(), forwardTimeoutMs: config.privacyForwardTimeoutMs, compactAfterDelete: true, compactMain: storage.compact, dataDir: config.dataDir,
  });
  workers.push(privacy.worker);
  await createPersonalisation({ app, db: storage.db, dialect: storage.dialect, clock, keys: apiKeys, collection: ingestor, cacheMs: config.decideCacheMs });
  // Journeys follow segments (entries, exits) and send through the destinations' outbox.
  const journeys = await createJourneys({ app, db: storage.db, dialect: storage.dialect, clock, log, keys: apiKeys, tags: segments.tags, destinations: destinations.store, onSend: () => destinations.engine.poke() });
  stages.push(...journeys.stages);
  workers.push(journeys.worker);
  const connectorParts = await sourceConnectors.register(app, { ingestor, keys: apiKeys, registry: metrics.registry });
  workers.push(...connectorParts.workers);

  const health = () => pipelineHealth(storage.db, stages, systemClock.now(), deps.stuckAfterMs);
  registerStageMetrics(metrics.registry, health, stages);
  await app.register(pipelineRoutes, { db: storage.db, dialect: storage.dialect, items: stageFailureItems, keys: apiKeys, replayers: [...stages, connectorParts.replayer], health });
  for (const stage of stages) stage.sealItemsWith(stageFailureItems);
  if (deps.stageFault) for (const stage of stages) stage.injectFault(deps.stageFault);
  await app.register(overviewRoutes, { db: storage.db, keys: apiKeys, clock });
  await app.register(analyticsRoutes, { db: storage.db, dialect: storage.dialect, keys: apiKeys, clock });
  const predictions = await createPredictions({ app, db: storage.db, dialect: storage.dialect, clock, keys: apiKeys, rfm: segments.rfm, refitHours: config.predictionRefitHours });
  workers.push(predictions.worker);
  // Last: the console's HTML fallback answers GETs no API route took.
  await serveConsole(app);
  access.checkRoutes();

  // A commit in one stage wakes every later stage at once (in-process), instead of waiting for its poll.
  stages.forEach((stage, i) => stage.onCommit(() => stages.slice(i + 1).forEach((next) => next.poke())));

  const pipelineThread =
    deps.pipelineThread && config.role === 'all' && !deps.stageFault ? new PipelineThread(config, stages, log, app.log) : undefined;

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
    access,
    importer,
    privacy,
    predictions: predictions.service,
    stages,
    workers,
    journeys: journeys.timers,
    async drainPipeline() {
      if (pipelineThread?.active) return pipelineThread.drain();
      for (let progressed = true; progressed; ) {
        progressed = false;
        for (const stage of stages) if ((await stage.drain()) > 0) progressed = true;
      }
    },
    async listen() {
      await log.pruneDedupe();
      if (config.role !== 'worker') await access.ensureOwner((text) => process.stdout.write(text));
      const address = await app.listen({ port: config.port, host: config.host });
      // Scale-out: API processes leave the pipeline to worker processes on the same store.
      if (config.role !== 'api') {
        // The thread loads and builds its own copy of Meridian: the API does not wait for it to answer.
        if (pipelineThread) pipelineThread.start().catch((err) => app.log.error({ err }, 'the pipeline thread did not start'));
        else for (const stage of stages) stage.start();
        for (const worker of workers) worker.start();
      }
      ready = true;
      app.log.info({ store: storage.location }, 'meridian ready');
      return address;
    },
    async close() {
      ready = false;
      clearInterval(prune);
      await app.close();
      // Workers (imports, connectors) may still append: stop them before the log commits its last group.
      for (const worker of workers) await worker.stop();
      await log.close();
      if (pipelineThread) await pipelineThread.stop();
      for (const stage of stages) await stage.stop();
      await storage.close();
    },
  };
}

/** MERIDIAN_PII_FIELDS entries `field:kind` → settings. */
const configuredPii = (entries: string[]): Record<string, FieldSetting> =>
  Object.fromEntries(entries.map((e) => [e.slice(0, e.lastIndexOf(':')), e.slice(e.lastIndexOf(':') + 1) as FieldSetting]));
/** How many profiles the audited export routes hand out (the export-volume alert adds them up). */
function segmentExportSize(storage: Storage) {
  return async (route: string, params: Record<string, string>) => {
    if (route !== 'GET /v1/segments/:id/members.csv') return undefined;
    const row = await storage.db
      .selectFrom('segment_memberships')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('segment_id', '=', params.id)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  };
}
