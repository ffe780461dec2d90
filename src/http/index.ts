export { createHttpApp } from './app.js';
export { installCors, type CollectionCors } from './cors.js';
export { Metrics } from './metrics.js';
export { consoleRoutes } from './console.js';
