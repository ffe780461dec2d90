// Builds the web console for tests when its build is missing or older than its sources (a vite build
// takes a while: done once, not per test file run when nothing changed).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CONSOLE_DIR } from '../../src/http/console.js';

function newest(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((f) => newest(join(path, f))));
}

export async function ensureConsoleBuilt() {
  const index = join(CONSOLE_DIR, 'index.html');
  // The console imports the server's schemas for its types only: they do not change the build.
  if (existsSync(index) && statSync(index).mtimeMs >= newest('console')) return;
  // Asynchronously: a blocked event loop would stop the test worker answering its runner.
  // NODE_ENV: vitest sets it to "test", which would give the build React's development bundle.
  await promisify(execFile)('npx', ['vite', 'build', '--config', 'console/vite.config.ts', '--logLevel', 'warn'], {
    timeout: 300_000,
    env: { ...process.env, NODE_ENV: 'production' },
  });
}
