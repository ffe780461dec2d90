// Starts Meridian as a separate process through its CLI (`meridian start`), so tests can kill it with
// SIGKILL and benchmarks can measure it without sharing an event loop with the load generator.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TEST_SECRET_KEY } from './stores.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const START_TIMEOUT_MS = 120_000;

export interface ChildServerOptions {
  /** Embedded store directory (also used, but empty, when databaseUrl is set). */
  dataDir: string;
  /** PostgreSQL URL; a `?options=-c search_path=<schema>` parameter selects the schema. */
  databaseUrl?: string;
  adminKey: string;
  /** `tsx` runs the TypeScript sources (no build needed); `dist` runs the compiled CLI. */
  runtime?: 'tsx' | 'dist';
  /** Extra node flags, e.g. `--cpu-prof`. */
  nodeArgs?: string[];
  env?: Record<string, string>;
  /** Receives everything the process writes (stdout and stderr), e.g. to search its logs. */
  output?: (chunk: string) => void;
}

export interface ChildServer {
  url: string;
  pid: number;
  /** Sends the signal and resolves once the process has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function startChildServer(opts: ChildServerOptions): Promise<ChildServer> {
  const entry = opts.runtime === 'dist' ? ['bin/meridian.js'] : ['--import', 'tsx', 'src/cli/index.ts'];
  // Low scrypt cost for the owner created at first start, as in-process test servers use (a test may set its own).
  const env: NodeJS.ProcessEnv = { ...process.env, MERIDIAN_ADMIN_KEY: opts.adminKey, MERIDIAN_LOG_LEVEL: 'warn', MERIDIAN_PASSWORD_COST: '10', ...opts.env };
  delete env.MERIDIAN_DATABASE_URL;
  if (opts.databaseUrl) {
    env.MERIDIAN_DATABASE_URL = opts.databaseUrl;
    // PostgreSQL requires a key; a test may pass its own (or none) through `env`.
    if (!opts.env || !('MERIDIAN_SECRET_KEY' in opts.env)) env.MERIDIAN_SECRET_KEY = TEST_SECRET_KEY;
    if (env.MERIDIAN_SECRET_KEY === '') delete env.MERIDIAN_SECRET_KEY;
  }
  return spawnListening(
    [...(opts.nodeArgs ?? []), ...entry, 'start', '--port', '0', '--host', '127.0.0.1', '--data-dir', opts.dataDir],
    env,
    /Meridian listening on (\S+)/,
    opts.output,
  );
}

/** Runs `node <args>` from the repository root and resolves once it prints `ready` (capturing its URL) on stderr. */
export async function spawnListening(args: string[], env: NodeJS.ProcessEnv, ready: RegExp, output?: (chunk: string) => void): Promise<ChildServer> {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', output ? 'pipe' : 'ignore', 'pipe'] });
  if (output) {
    child.stdout!.setEncoding('utf8').on('data', output);
    child.stderr!.on('data', (chunk: Buffer | string) => output(String(chunk)));
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await listeningUrl(child, ready);
  return {
    url,
    pid: child.pid!,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

function listeningUrl(child: ChildProcess, ready: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let stderr = '';
    let settled = false;
    const settle = (err: Error | null, url?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) {
        child.kill('SIGKILL');
        reject(err);
      } else resolve(url!);
    };
    // Generous: a loaded 2-core machine has taken tens of seconds to start a server through tsx.
    const timer = setTimeout(() => settle(new Error(`server did not start within ${START_TIMEOUT_MS / 1000} s:\n${stderr}`)), START_TIMEOUT_MS);
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      // Keep draining stderr after start (a full pipe would block the server); keep only the start-up text.
      if (settled) return;
      stderr += chunk;
      const m = ready.exec(stderr);
      if (m) settle(null, m[1]);
    });
    child.once('exit', (code, signal) => settle(new Error(`server exited (${signal ?? code}) before listening:\n${stderr}`)));
  });
}
