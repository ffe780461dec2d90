// Field encryption at rest through the public API and the raw store: failed-event payloads (refused
// input, personal data included) are sealed under data keys wrapped by the KEK; the raw database
// holds no plaintext of them, the API reads them back, and a KEK rotation re-encrypts everything
// in the background and keeps it readable. Without a KEK nothing changes.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestServer, track, type TestServer } from './helpers/server.js';
import { freshPgSchema, pgUrl, storesUnderTest } from './helpers/stores.js';
import { eventually } from './helpers/eventually.js';

const KEK_A = 'a'.repeat(64);
const KEK_B = 'b1'.repeat(32);
const KEK_C = 'c2'.repeat(32);
const run = promisify(execFile);

describe.each(storesUnderTest())('field encryption at rest (%s)', (store) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'meridian-enc-'));
  let schema: { schema: string; drop: () => Promise<void> } | undefined;
  let server: TestServer | undefined;
  afterAll(async () => {
    await server?.close();
    await schema?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const start = async (kek: { kek?: string; previousKek?: string }) => {
    await server?.close();
    server = undefined;
    if (store === 'postgres') schema ??= await freshPgSchema();
    server = await startTestServer({ store, dataDir, pgSchema: schema?.schema, config: kek });
    return server;
  };
  const api = async (method: string, path: string) => {
    const res = await server!.admin(path, { method });
    return { status: res.status, body: (await res.json()) as any };
  };
  /** Sends a batch whose second item is refused: its payload, with this email, goes to the failed events. */
  const refuse = async (email: string) => {
    const src = await server!.createSource('web');
    const batch = [{ type: 'track', userId: 'ok', event: 'Fine' }, { type: 'track', event: 'No identity', properties: { email } }];
    expect((await track(server!.url, src.writeKey, '/v1/batch', { batch })).status).toBe(200);
    return src.id;
  };
  const failedPayloads = async () => (await api('GET', '/v1/failed-events?limit=1000')).body.data.map((f: { payload: any }) => f.payload.properties.email as string);
  /** Every byte the store holds: the files of the data directory, or the failed_events rows as PostgreSQL stores them. */
  const rawStore = async (): Promise<string> => {
    if (store === 'sqlite') return allFiles(dataDir).map((f) => readFileSync(f).toString('latin1')).join('\n');
    const client = new pg.Client({ connectionString: pgUrl });
    await client.connect();
    try {
      return (await client.query(`SELECT payload::text AS p FROM ${schema!.schema}.failed_events`)).rows.map((r) => r.p).join('\n');
    } finally {
      await client.end();
    }
  };

  it('stores in clear without a KEK, and says encryption is off', async () => {
    await start({});
    await refuse('before.kek@example.com');
    expect(await failedPayloads()).toEqual(['before.kek@example.com']);
    const keys = await api('GET', '/v1/privacy/keys');
    expect(keys.status).toBe(409);
    expect(keys.body.error.code).toBe('encryption_not_configured');
  });

  it('seals new payloads once a KEK is set, and moves the older ones under it in the background', async () => {
    await start({ kek: KEK_A });
    await refuse('sealed.one@example.com');
    await eventually(async () => expect((await api('GET', '/v1/privacy/keys')).body.reencryption).toMatchObject({ running: false, remaining: 0 }));
    expect((await failedPayloads()).sort()).toEqual(['before.kek@example.com', 'sealed.one@example.com']);
    const raw = await rawStore();
    expect(raw).not.toContain('sealed.one@example.com');
    expect(raw).toContain('enc1.');
  });

  it('refuses to start without the KEK, or with another one, once values are encrypted', async () => {
    await server?.close();
    server = undefined;
    await expect(start({})).rejects.toThrow(/field values in this store are encrypted: set MERIDIAN_KEK/);
    await expect(start({ kek: KEK_B })).rejects.toThrow(/wrapped by KEK [0-9a-f]{16}, which is neither MERIDIAN_KEK/);
  });

  it('rotates the KEK: data keys rewrapped, every value re-encrypted under a new data key, still readable with the new KEK alone', async () => {
    await start({ kek: KEK_B, previousKek: KEK_A });
    // The pass every start runs must end first: a rotation during one is refused (409 rotation_in_progress).
    const before = await eventually(async () => {
      const s = (await api('GET', '/v1/privacy/keys')).body;
      expect(s.reencryption.running).toBe(false);
      return s;
    });
    const rotated = await api('POST', '/v1/privacy/keys/rotate');
    expect(rotated.status).toBe(202);
    expect(rotated.body.activeKeyId).not.toBe(before.activeKeyId);
    const after = await eventually(async () => {
      const s = (await api('GET', '/v1/privacy/keys')).body;
      expect(s.reencryption).toMatchObject({ running: false, remaining: 0, error: null });
      return s;
    });
    expect(after.keys.every((k: { kekId: string }) => k.kekId === after.kekId)).toBe(true);
    expect(after.keys.filter((k: { active: boolean }) => k.active)).toEqual([expect.objectContaining({ id: rotated.body.activeKeyId })]);

    await start({ kek: KEK_B });
    await refuse('after.rotation@example.com');
    expect((await failedPayloads()).sort()).toEqual(['after.rotation@example.com', 'before.kek@example.com', 'sealed.one@example.com']);
    expect(await rawStore()).not.toContain('after.rotation@example.com');
  });

  it.skipIf(store !== 'sqlite')('rotates the KEK from the CLI, re-encrypting in the foreground', async () => {
    await server?.close();
    server = undefined;
    const env = { ...process.env, MERIDIAN_KEK: KEK_C, MERIDIAN_KEK_PREVIOUS: KEK_B, MERIDIAN_LOG_LEVEL: 'silent' };
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', '--data-dir', dataDir, 'keys', 'rotate-kek', '--json'], { cwd: process.cwd(), env });
    // The 3 refused payloads, the log payloads of the 3 accepted events beside them, and the sealed
    // state of their one profile (user "ok": a user id and no classified trait, so nothing else sealed).
    expect(JSON.parse(stdout)).toMatchObject({ reencrypted: 7, remaining: 0 });
    await start({ kek: KEK_C });
    expect((await failedPayloads()).sort()).toEqual(['after.rotation@example.com', 'before.kek@example.com', 'sealed.one@example.com']);
  });
});

function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? allFiles(path) : [path];
  });
}

