// Public surface of segmentation: the real-time stage, the time scheduler, the HTTP routes and the
// read functions other capabilities use (a profile's memberships, its RFM scores).
import './tables.js';
import type { FastifyInstance } from 'fastify';
import type { ApiKeyStore } from '../auth/index.js';
import type { RequestMasker } from '../privacy/index.js';
import type { Db, Dialect } from '../storage/index.js';
import type { Clock } from '../shared/clock.js';
import { logStageFailures } from '../log/index.js';
import { segmentsStage } from './realtime-stage.js';
import { SegmentScheduler } from './scheduler.js';
import { SegmentService } from './service.js';
import { TagService } from './tags.js';
import { RfmService } from './rfm.js';
import { segmentRoutes } from './routes.js';
import { tagRoutes } from './tag-routes.js';

export { membershipsOf } from './store.js';
export { RfmService } from './rfm.js';
export { SegmentService } from './service.js';
export { TagService } from './tags.js';
export { SegmentScheduler } from './scheduler.js';
export type { Rule, Condition } from './rule-schema.js';
export { PREDICTION_TRAITS, type PredictionTrait } from './rule-schema.js';
export { loadCatalog } from './store.js';
export { references, withDependents } from './catalog.js';
export { recomputeSegments } from './recompute.js';
export { MEMBERSHIP_FEED_LOCK } from './reevaluate.js';
export { PropertyFilter } from './rule-schema.js';
export { testValue, valueAt, splitPath } from './value-test.js';
export { Duration } from './rule-schema.js';
export { durationMs } from './time.js';
export { profileChangesFeed, type ProfileChange } from './realtime-stage.js';

export async function createSegments(deps: { app: FastifyInstance; db: Db; dialect: Dialect; clock: Clock; keys: ApiKeyStore; maskerOf: RequestMasker }) {
  const { app, db, dialect, clock } = deps;
  const onError = (what: string) => (err: unknown) => app.log.error({ err }, `segments ${what} failed`);
  const segments = new SegmentService(db, dialect, clock);
  const rfm = new RfmService(db, dialect, clock);
  const tags = new TagService(db, dialect, clock);
  const stage = segmentsStage({ db, dialect, clock, onError: logStageFailures(app.log) });
  const scheduler = new SegmentScheduler({ db, dialect, clock, rfm, onError: onError('scheduler') });
  await app.register(segmentRoutes, { db, dialect: deps.dialect, segments, keys: deps.keys, maskerOf: deps.maskerOf });
  await app.register(tagRoutes, { tags, rfm, keys: deps.keys });
  return { stage, scheduler, segments, rfm, tags };
}
