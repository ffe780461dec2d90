export { Importer, type ImportRequest, type ImportProgress, type EventScreen } from './importer.js';
export { ImportStore } from './store.js';
export { importRoutes } from './routes.js';
export type { ImportMapping } from './mapping.js';
