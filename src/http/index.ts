export { createHttpApp } from './app.js';
export { installCors, type CollectionCors } from './cors.js';
export { Metrics } from './metrics.js';
export { serveConsole } from './console.js';
