// Starts a real Meridian server (in this process, on an ephemeral port) for tests that go through
// the public HTTP API, on the embedded store or on PostgreSQL.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config } from '../../src/config.js';
import { createMeridian, type Meridian, type MeridianDeps } from '../../src/main.js';
import type { Clock } from '../../src/shared/clock.js';
import { freshPgSchema, pgUrl, TEST_SECRET_KEY, type StoreKind } from './stores.js';

export const ADMIN_KEY = 'test-admin-key-0123456789';
/** The first owner of every test server (test/access-*.test.ts sign in with it). */
export const OWNER = { email: 'owner@test.example', password: 'test-owner-password-7f3a9c' };

export interface TestServer {
  url: string;
  meridian: Meridian;
  dataDir: string;
  /** Creates a source through the admin API and returns its id and write key. */
  createSource(name?: string, extra?: Record<string, unknown>): Promise<{ id: string; writeKey: string }>;
  /** fetch against the server with the admin key. */
  admin(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

export async function startTestServer(
  opts: { store?: StoreKind; clock?: Clock; config?: Partial<Config>; dataDir?: string; pgSchema?: string; deps?: Omit<MeridianDeps, 'clock' | 'pgSchema'> } = {},
): Promise<TestServer> {
  const store = opts.store ?? 'sqlite';
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'meridian-test-'));
  const pg = store === 'postgres' && !opts.pgSchema ? await freshPgSchema() : undefined;
  const config = loadConfig(
    {
      port: 0,
      host: '127.0.0.1',
      dataDir,
      logLevel: 'silent',
      adminKey: ADMIN_KEY,
      // Low scrypt cost: hashing at the production cost would dominate short tests.
      passwordCost: 10,
      ownerEmail: OWNER.email,
      ownerPassword: OWNER.password,
      databaseUrl: store === 'postgres' ? pgUrl : undefined,
      secretKey: store === 'postgres' ? TEST_SECRET_KEY : undefined,
      ...opts.config,
    },
    {},
  );
  const meridian = await createMeridian(config, { ...opts.deps, clock: opts.clock, pgSchema: opts.pgSchema ?? pg?.schema });
  const url = await meridian.listen();
  const admin = (path: string, init: RequestInit = {}) =>
    fetch(url + path, {
      ...init,
      headers: {
        authorization: `Bearer ${ADMIN_KEY}`,
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(init.headers ?? {}),
      },
    });
  return {
    url,
    meridian,
    dataDir,
    admin,
    async createSource(name = 'test source', extra = {}) {
      const res = await admin('/v1/sources', { method: 'POST', body: JSON.stringify({ name, type: 'server', ...extra }) });
      if (res.status !== 201) throw new Error(`create source: ${res.status} ${await res.text()}`);
      const body = (await res.json()) as { id: string; writeKey: string };
      return { id: body.id, writeKey: body.writeKey };
    },
    async close() {
      await meridian.close();
      await pg?.drop();
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const basic = (writeKey: string) => 'Basic ' + Buffer.from(writeKey + ':').toString('base64');

/** POSTs a tracking call with the write key as Basic auth. */
export function track(url: string, writeKey: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(url + path, {
    method: 'POST',
    headers: { authorization: basic(writeKey), 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' || body instanceof Uint8Array ? (body as BodyInit) : JSON.stringify(body),
  });
}
