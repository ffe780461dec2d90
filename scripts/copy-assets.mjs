// Copies non-TypeScript assets next to the compiled code: SQL migrations, and the log writer thread
// (plain JavaScript, see src/log/sqlite-writer.ts).
import { cpSync } from 'node:fs';
cpSync('src/storage/migrations', 'dist/storage/migrations', { recursive: true });
cpSync('src/log/sqlite-log-thread.mjs', 'dist/log/sqlite-log-thread.mjs');
