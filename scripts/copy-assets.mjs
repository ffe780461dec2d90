// Copies non-TypeScript assets next to the compiled code: SQL migrations, and the scripts of the worker
// threads (plain JavaScript: see src/log/sqlite-writer.ts, src/storage/checkpointer.ts and src/shared/module-worker.ts).
import { cpSync } from 'node:fs';
cpSync('src/storage/migrations', 'dist/storage/migrations', { recursive: true });
cpSync('src/log/sqlite-log-thread.mjs', 'dist/log/sqlite-log-thread.mjs');
cpSync('src/storage/checkpoint-thread.mjs', 'dist/storage/checkpoint-thread.mjs');
cpSync('src/shared/module-worker.mjs', 'dist/shared/module-worker.mjs');
