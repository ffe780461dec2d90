// Journeys: automated customer journeys on durable per-person timers, sending through the
// destinations' outbox, with coupon pools. Wires the store, the runner, the two stages, the timer
// worker and the API.
import { ConsentStore } from '../privacy/index.js';
import { deliveryPayloads } from '../destinations/index.js';
import './tables.js';
import type { FastifyInstance } from 'fastify';
import type { ApiKeyStore } from '../auth/index.js';
import { logStageFailures, type EventLog, type Stage } from '../log/index.js';
import type { Clock } from '../shared/clock.js';
import type { Db, Dialect } from '../storage/index.js';
import type { TagService } from '../segments/index.js';
import { CouponStore } from './coupons.js';
import { journeyRoutes } from './routes.js';
import { enrollmentContexts, type RunnerDestination } from './runner.js';
import { JourneyService } from './service.js';
import { journeyEventsStage, journeyMembershipsStage } from './stages.js';
import { JourneyStore } from './store.js';
import { JourneyTimers } from './timers.js';

export * from './schema.js';
export { JourneyTimers } from './timers.js';
export { enrollmentContexts } from './runner.js';

export async function createJourneys(o: {
  app: FastifyInstance;
  db: Db;
  dialect: Dialect;
  clock: Clock;
  log: EventLog;
  keys: ApiKeyStore;
  tags: TagService;
  destinations: { active(via: Db | Parameters<TagService['write']>[0]): Promise<RunnerDestination[]> };
  /** Wakes the delivery engine after sends were queued. */
  onSend(): void;
}) {
  const store = new JourneyStore(o.db, o.dialect, o.clock);
  const runner = { dialect: o.dialect, outbox: deliveryPayloads(o.dialect, o.log.payloads.cipher), contexts: enrollmentContexts(o.dialect, o.log.payloads.cipher), destinations: (trx: Parameters<TagService['write']>[0]) => o.destinations.active(trx), writeTag: o.tags.write.bind(o.tags),
    consentOf: async (trx: Parameters<TagService['write']>[0], profileId: string) => (await new ConsentStore(trx, o.dialect, o.clock).latest([profileId])).get(profileId),
  };
  const timers: JourneyTimers = new JourneyTimers({ db: o.db, dialect: o.dialect, clock: o.clock, store, runner, log: o.log, onError: (err) => o.app.log.error({ err }, 'journey timers'), onMoved: o.onSend });
  const afterCommit = () => {
    timers.poke();
    o.onSend();
  };
  const deps = { db: o.db, dialect: o.dialect, clock: o.clock, payloads: o.log.payloads, store, runner, afterCommit, onError: logStageFailures(o.app.log) };
  const stages = [journeyEventsStage(deps), journeyMembershipsStage(deps)] as unknown as Stage<unknown>[];
  const journeys = new JourneyService({ db: o.db, dialect: o.dialect, clock: o.clock, store, runner, onChange: () => timers.poke() });
  const coupons = new CouponStore(o.db, o.dialect, o.clock);
  await o.app.register(journeyRoutes, { keys: o.keys, journeys, store, coupons });
  return {
    stages,
    worker: {
      start: () => timers.start(),
      stop: () => timers.stop(),
    },
    timers,
  };
}
