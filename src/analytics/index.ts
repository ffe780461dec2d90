export { overviewRoutes } from './routes.js';
export { Overview } from './schema.js';
