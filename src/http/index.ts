export { createHttpApp } from './app.js';
export { Metrics } from './metrics.js';
