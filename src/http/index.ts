export { createHttpApp } from './app.js';
export { Metrics } from './metrics.js';
export { consoleRoutes } from './console.js';
