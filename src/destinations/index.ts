// Destinations: activation of events and segment audiences to outside platforms through one durable,
// retrying delivery engine. Wires the stores, the two pipeline stages, the engine (a worker) and the API.
import './tables.js';
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { ApiKeyStore } from '../auth/index.js';
import { logStageFailures, type EventLog } from '../log/index.js';
import type { Clock } from '../shared/clock.js';
import type { Db, Dialect } from '../storage/index.js';
import { audienceSyncStage } from './audience-stage.js';
import { DeliveryStore } from './deliveries.js';
import { DeliveryEngine } from './engine.js';
import { deliveryPayloads } from './outbox.js';
import { eventForwardingStage, segmentMembershipTable } from './event-stage.js';
import { traitsIdentifierSource } from './identifiers.js';
import { DestinationMetrics } from './metrics.js';
import { ProfileReads } from './profile-reads.js';
import { PushTokens } from './push-tokens.js';
import { segmentMembershipsTable } from './resync.js';
import { destinationRoutes } from './routes.js';
import type { SecretBox } from '../shared/secret-box.js';
import { DestinationStore } from './store.js';
import type { ConsentStore } from '../privacy/consent/index.js';
import { Unsubscribes } from './unsubscribe.js';

export { deliveryPayloads, enqueue, type NewDelivery } from './outbox.js';
export { signWebhook } from '../shared/webhook-signature.js';
export { PushTokens, type PushTokenRow } from './push-tokens.js';
export { Condition, matchesFilter, getPath } from './event-filter.js';
export { membershipFeed, type MembershipChange } from './audience-stage.js';

export async function createDestinations(o: {
  app: FastifyInstance;
  db: Db;
  dialect: Dialect;
  clock: Clock;
  log: EventLog;
  keys: ApiKeyStore;
  /** The installation's secret box (main.ts): seals and opens the destinations' secrets. */
  box: SecretBox;
  /** The server's Prometheus registry (GET /metrics). */
  registry: Registry;
  /** Consent statements (privacy/consent): every send is checked against them. */
  consent: ConsentStore;
}) {
  const onError = (err: unknown) => o.app.log.error({ err }, 'destinations');
  const store = new DestinationStore(o.db, o.dialect, o.clock, o.box, (d, error) =>
    error
      ? o.app.log.error({ destinationId: d.id, connector: d.connector, code: error.code }, `destination ${d.id} (${d.name}) is errored and its deliveries are held: ${error.message}`)
      : o.app.log.info({ destinationId: d.id, connector: d.connector }, `destination ${d.id} (${d.name}) is usable again`),
  );
  // With a KEK (the log's cipher), payloads are sealed at rest: written by enqueue, opened by DeliveryStore.
  const outbox = deliveryPayloads(o.dialect, o.log.payloads.cipher);
  const deliveries = new DeliveryStore(o.db, o.dialect, outbox);
  const unsubscribes = new Unsubscribes(o.db, o.clock);
  const pushTokens = new PushTokens(o.db);
  const metrics: DestinationMetrics = new DestinationMetrics({ registry: o.registry, db: o.db, store, circuits: () => engine.circuits(), onError });
  const engine: DeliveryEngine = new DeliveryEngine({
    db: o.db,
    dialect: o.dialect,
    clock: o.clock,
    store,
    deliveries,
    identifiers: traitsIdentifierSource(o.db, o.dialect),
    profiles: new ProfileReads(o.db, o.dialect, o.consent),
    unsubscribes,
    pushTokens,
    metrics,
    onError,
  });
  store.onChange(() => engine.poke());
  const hasSegments = await sql`SELECT 1 FROM segment_memberships WHERE 1 = 0`.execute(o.db).then(
    () => true,
    () => false,
  );
  const wake = () => engine.poke();
  const stages = [
    eventForwardingStage({ db: o.db, dialect: o.dialect, log: o.log, outbox, store, membership: hasSegments ? segmentMembershipTable : undefined, afterCommit: wake, onError: logStageFailures(o.app.log) }),
    audienceSyncStage({ db: o.db, dialect: o.dialect, outbox, store, afterCommit: wake, onError: logStageFailures(o.app.log) }),
  ];
  await o.app.register(destinationRoutes, {
    keys: o.keys, store, deliveries, engine, unsubscribes, members: segmentMembershipsTable(o.db),
    identifiers: traitsIdentifierSource(o.db, o.dialect), profiles: new ProfileReads(o.db, o.dialect, o.consent), pushTokens,
    db: o.db, dialect: o.dialect, outbox, clock: o.clock,
  });
  return { stages, worker: engine, engine, store, outbox };
}
