export { SourceStore, type SourceAuth } from './store.js';
export * from './schema.js';
