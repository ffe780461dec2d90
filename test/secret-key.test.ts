// The key that seals connector secrets: required on PostgreSQL, and the same for every process that
// shares a store — a process with another key refuses to start instead of failing at the first secret.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startChildServer, type ChildServer } from './helpers/child-server.js';
import { ADMIN_KEY, startTestServer } from './helpers/server.js';
import { freshPgSchema, pgSchemaUrl, pgUrl, TEST_SECRET_KEY } from './helpers/stores.js';

const OTHER_KEY = 'ab'.repeat(32);
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'meridian-key-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
};

describe.skipIf(!pgUrl)('the secret key on PostgreSQL', () => {
  it('refuses to start without a key, saying why and how to make one', async () => {
    const pg = await freshPgSchema();
    cleanups.push(pg.drop);
    const databaseUrl = pgSchemaUrl(pg.schema);
    const start = startChildServer({ dataDir: tempDir(), databaseUrl, adminKey: ADMIN_KEY, env: { MERIDIAN_SECRET_KEY: '' } });
    await expect(start).rejects.toThrow(/exited \(1\)[\s\S]*MERIDIAN_SECRET_KEY \(or MERIDIAN_SECRET_KEY_FILE\) is required with a PostgreSQL store[\s\S]*openssl rand -hex 32/);
  });

  // Three child servers start one after the other: 113 s on a machine at load 20.
  it('refuses a second process on the same database with another key; the same key (as a file) is accepted', { timeout: 300_000 }, async () => {
    const pg = await freshPgSchema();
    cleanups.push(pg.drop);
    const databaseUrl = pgSchemaUrl(pg.schema);
    const first: ChildServer = await startChildServer({ dataDir: tempDir(), databaseUrl, adminKey: ADMIN_KEY });
    cleanups.push(() => first.kill('SIGTERM'));
    expect((await fetch(first.url + '/readyz')).status).toBe(200);

    const second = startChildServer({ dataDir: tempDir(), databaseUrl, adminKey: ADMIN_KEY, env: { MERIDIAN_SECRET_KEY: OTHER_KEY } });
    await expect(second).rejects.toThrow(/exited \(1\)[\s\S]*the secret key \(MERIDIAN_SECRET_KEY[^\n]*is not the key of this database/);

    const keyDir = tempDir();
    const keyFile = join(keyDir, 'meridian.key');
    writeFileSync(keyFile, TEST_SECRET_KEY + '\n');
    const third = await startChildServer({ dataDir: tempDir(), databaseUrl, adminKey: ADMIN_KEY, env: { MERIDIAN_SECRET_KEY: '', MERIDIAN_SECRET_KEY_FILE: keyFile } });
    cleanups.push(() => third.kill('SIGTERM'));
    expect((await fetch(third.url + '/readyz')).status).toBe(200);
  });
});

describe('the secret key on the embedded store', () => {
  it('generates a key into the data directory, and refuses another key once secrets are sealed', async () => {
    const dataDir = tempDir();
    const server = await startTestServer({ dataDir });
    const res = await server.admin('/v1/destinations', {
      method: 'POST',
      body: JSON.stringify({ name: 'Hook', kind: 'events', connector: 'webhook', config: { url: 'http://127.0.0.1:9/' }, secrets: { signingSecret: 'whsec_0123456789abcdef' } }),
    });
    expect(res.status).toBe(201);
    await server.close();
    await expect(startTestServer({ dataDir, config: { secretKey: OTHER_KEY } })).rejects.toThrow(/is not the key of this database/);
    const again = await startTestServer({ dataDir });
    await again.close();
  });
});
