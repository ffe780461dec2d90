export { SourceStore, type SourceAuth } from './store.js';
export * from './schema.js';
export { anyOrigin, originCheck, type OriginCheck } from './origins.js';
