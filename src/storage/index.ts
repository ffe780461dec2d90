export { openStorage, type Storage, type StorageOptions } from './open.js';
export { chunkRows, type Db, type Dialect, type DialectName } from './dialect.js';
export type { Database } from './schema.js';
export { insertRows } from './bulk.js';
