export { DbSyncWorker } from './worker.js';
export { dbSyncRoutes } from './routes.js';
