// Copies non-TypeScript assets (SQL migrations) next to the compiled code.
import { cpSync } from 'node:fs';
cpSync('src/storage/migrations', 'dist/storage/migrations', { recursive: true });
