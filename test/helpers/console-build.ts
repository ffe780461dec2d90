// Builds the web console for tests when its build is missing or older than its sources (a vite build
// takes a while: done once, not per test file run when nothing changed). Several browser test files
// run in parallel forks: a lock directory makes one of them build while the others wait for it.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CONSOLE_DIR } from '../../src/http/console.js';

const LOCK = join(dirname(CONSOLE_DIR), '.console-build.lock');
/** A lock older than this was left by a killed run. */
const STALE_LOCK_MS = 10 * 60_000;

function newest(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((f) => newest(join(path, f))));
}

const upToDate = () => {
  const index = join(CONSOLE_DIR, 'index.html');
  // The console imports the server's schemas for its types only: they do not change the build.
  return existsSync(index) && statSync(index).mtimeMs >= newest('console');
};

function tryLock(): boolean {
  mkdirSync(dirname(LOCK), { recursive: true });
  try {
    mkdirSync(LOCK);
    return true;
  } catch {
    const held = statSync(LOCK, { throwIfNoEntry: false });
    if (held && Date.now() - held.mtimeMs > STALE_LOCK_MS) rmSync(LOCK, { recursive: true, force: true });
    return false;
  }
}

export async function ensureConsoleBuilt() {
  while (!upToDate()) {
    if (!tryLock()) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      continue;
    }
    try {
      if (upToDate()) return;
      // Asynchronously: a blocked event loop would stop the test worker answering its runner.
      // NODE_ENV: vitest sets it to "test", which would give the build React's development bundle.
      await promisify(execFile)('npx', ['vite', 'build', '--config', 'console/vite.config.ts', '--logLevel', 'warn'], {
        timeout: 300_000,
        env: { ...process.env, NODE_ENV: 'production' },
      });
    } finally {
      rmSync(LOCK, { recursive: true, force: true });
    }
  }
}
