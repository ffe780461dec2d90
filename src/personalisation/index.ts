// Real-time personalisation: placements (named slots with ordered rules over traits, segments, tags,
// recent events and the request context) and the decide API sites and apps call with a write key.
import './tables.js';
import type { FastifyInstance } from 'fastify';
import type { ApiKeyStore } from '../auth/index.js';
import type { Clock } from '../shared/clock.js';
import type { Db, Dialect } from '../storage/index.js';
import { personalisationRoutes, type Collection } from './routes.js';
import { PlacementStore } from './store.js';
import { VisitorFactsReader } from './visitor-facts.js';

export { EXPOSURE_EVENT } from './routes.js';
export { Placement, CreatePlacementBody, DecideResponse } from './schema.js';

export async function createPersonalisation(o: { app: FastifyInstance; db: Db; dialect: Dialect; clock: Clock; keys: ApiKeyStore; collection: Collection; cacheMs: number }) {
  const store = new PlacementStore(o.db, o.dialect, o.clock, o.cacheMs);
  const facts = new VisitorFactsReader(o.db, o.dialect, o.clock, o.cacheMs);
  await o.app.register(personalisationRoutes, { keys: o.keys, store, facts, collection: o.collection });
  return { store };
}
