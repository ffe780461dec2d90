export { analyticsRoutes, overviewRoutes } from './routes.js';
export { analyticsStage } from './rollup-stage.js';
export { Overview } from './schema.js';
export * from './query-schema.js';
export { createPredictions, PredictionService, ModelCard, PredictionJob, ProfilePredictions, Recommendations } from './predict/index.js';
