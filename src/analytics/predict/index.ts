// Public surface of predictions: lifetime models (BG/NBD, Gamma-Gamma, CLV), the purchase-intent
// classifier and recommendations, refitted as jobs, with their routes.
import './tables.js';
import type { FastifyInstance } from 'fastify';
import type { ApiKeyStore } from '../../auth/index.js';
import type { Db, Dialect } from '../../storage/index.js';
import type { Clock } from '../../shared/clock.js';
import type { RfmService } from '../../segments/index.js';
import { PredictionService } from './service.js';
import { predictionRoutes } from './routes.js';

export { PredictionService } from './service.js';
export { fitModels, type ModelInput } from './fit-models.js';
export { fitBgNbd, pAlive, expectedPurchases } from './bgnbd.js';
export { fitGammaGamma } from './gamma-gamma.js';
export { summarise } from './summarise.js';
export { evaluateHitRate } from './recommend.js';
export { ModelCard, PredictionJob, ProfilePredictions, Recommendations, RefitBody, ClassifierMetrics } from './schema.js';

export async function createPredictions(deps: {
  app: FastifyInstance;
  db: Db;
  dialect: Dialect;
  clock: Clock;
  keys: ApiKeyStore;
  rfm: RfmService;
  refitHours: number;
}) {
  const service = new PredictionService({ ...deps, refitHours: deps.refitHours, onError: (err) => deps.app.log.error({ err }, 'prediction refit failed') });
  await deps.app.register(predictionRoutes, { service, keys: deps.keys, db: deps.db, dialect: deps.dialect, clock: deps.clock });
  return { service, worker: service };
}
