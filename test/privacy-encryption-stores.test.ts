// Field encryption at rest of the stores that copy event content (docs/privacy.md#encryption-at-rest):
// with a KEK, events sent through the Segment-compatible API, processed by the pipeline, forwarded to
// a webhook and walked through a journey leave no plaintext email or phone in any column of the
// tables sealed here, while the events API still reads them; events stored in clear before the KEK
// are sealed at start, a key rotation moves everything to the new data key, a restart reads it all.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestServer, track, type TestServer } from './helpers/server.js';
import { freshPgSchema, storesUnderTest } from './helpers/stores.js';
import { eventually } from './helpers/eventually.js';
import { startFake, type FakeServer } from './fakes/fake-server.js';
import { filesUnder, searchFiles } from '../src/privacy/dsr/byte-search.js';

const KEK_A = 'd4'.repeat(32);
const EARLY = { email: 'early.bird@example.com', phone: '+886912000111' };
const PERSON = { email: 'sealed.person@example.com', phone: '+886987654321' };
const VALUES = [EARLY.email, EARLY.phone, PERSON.email, PERSON.phone];

/** The tables this change seals (columns checked: every one of them). */
const SEALED_TABLES = ['events', 'failed_events', 'deliveries', 'journey_enrollments', 'stage_failures'];
/** The identity graph and profiles are sealed by the enc-identity change (blind index): only then can no table hold them. */
const identityEncrypted = existsSync(new URL('../src/shared/encryption/blind-index.ts', import.meta.url));

/** Pipeline stages fail on this event: set aside with its content (stage_failures.item). */
const poison = (_stage: string, _position: number, item: unknown) => {
  if ((item as { event?: string } | null)?.event === 'Poison') throw new Error('poisoned for the test');
};

describe.each(storesUnderTest())('field encryption of the event stores (%s)', (store) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'meridian-enc-stores-'));
  let schema: { schema: string; drop: () => Promise<void> } | undefined;
  let server: TestServer | undefined;
  let hook: FakeServer | undefined;
  afterAll(async () => {
    await server?.close();
    await hook?.close();
    await schema?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const start = async (kek?: string) => {
    await server?.close();
    server = undefined;
    if (store === 'postgres') schema ??= await freshPgSchema();
    server = await startTestServer({ store, dataDir, pgSchema: schema?.schema, config: { kek }, deps: { stageFault: poison } });
    return server;
  };
  const api = async (path: string, method = 'GET', body?: unknown) => {
    const res = await server!.admin(path, { method, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    return { status: res.status, body: res.status === 204 ? null : ((await res.json()) as any) };
  };
  let writeKey = '';
  const send = async (path: string, body: Record<string, unknown>) => expect((await track(server!.url, writeKey, path, body)).status).toBe(200);
  /** The messages of a user's events, through the events API (opened on read). */
  const eventsOf = async (userId: string) => {
    const r = await api(`/v1/events?userId=${userId}&limit=100`);
    expect(r.status).toBe(200);
    return r.body.data.map((e: { type: string; message: Record<string, any> }) => e.message);
  };
  const settled = async () =>
    eventually(async () => {
      const s = (await api('/v1/privacy/keys')).body;
      expect(s.reencryption).toMatchObject({ running: false, remaining: 0, error: null });
      return s;
    });

  /** Which tables hold any of the values in clear, by SQL over every column of every table of the store. */
  const tablesHolding = async (values: string[]): Promise<string[]> => {
    const db = server!.meridian.storage.db;
    const columns: { table: string; column: string }[] = [];
    if (store === 'sqlite') {
      for (const file of ['main', 'log']) {
        const tables = await sql<{ name: string }>`SELECT name FROM ${sql.raw(file)}.sqlite_master WHERE type = 'table'`.execute(db);
        for (const t of tables.rows) {
          const cols = await sql<{ name: string }>`SELECT name FROM pragma_table_info(${t.name}, ${file})`.execute(db);
          for (const c of cols.rows) columns.push({ table: `${file}.${t.name}`, column: c.name });
        }
      }
    } else {
      const cols = await sql<{ table_name: string; column_name: string }>`SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = ${schema!.schema}`.execute(db);
      for (const c of cols.rows) columns.push({ table: c.table_name, column: c.column_name });
    }
    const found = new Set<string>();
    for (const { table, column } of columns) {
      const text = store === 'sqlite' ? sql`CAST(${sql.ref(column)} AS TEXT)` : sql`${sql.ref(column)}::text`;
      const where = sql.join(values.map((v) => sql`${text} LIKE ${'%' + v + '%'}`), sql` OR `);
      const { rows } = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM ${sql.table(table)} WHERE ${where}`.execute(db);
      if (Number(rows[0].n) > 0) found.add(table.replace(/^(main|log)\./, ''));
    }
    return [...found].sort();
  };

  it('seals at start what was logged in clear before the KEK was set', async () => {
    await start();
    writeKey = (await server!.createSource('web')).writeKey;
    await send('/v1/identify', { userId: 'early', traits: EARLY });
    await server!.meridian.drainPipeline();
    expect(await tablesHolding([EARLY.email])).toContain('events');

    await start(KEK_A);
    const keys = await settled();
    expect(await tablesHolding(VALUES).then((t) => t.filter((x) => SEALED_TABLES.includes(x)))).toEqual([]);
    expect((await eventsOf('early'))[0].traits).toEqual(EARLY);
    const { rows } = await sql<{ k: string | null }>`SELECT DISTINCT payload_key AS k FROM events`.execute(server!.meridian.storage.db);
    expect(rows.map((r) => r.k)).toEqual([keys.activeKeyId]);
  });

  it('keeps email and phone out of every sealed table while the pipeline, a webhook and a journey process them', async () => {
    hook = await startFake(() => ({ status: 200, body: { ok: true } }));
    const forward = await api('/v1/destinations', 'POST', { name: 'hook', kind: 'events', connector: 'webhook', filter: {}, config: { url: hook.url } });
    expect(forward.status, JSON.stringify(forward.body)).toBe(201);
    const journeyHook = await api('/v1/destinations', 'POST', { name: 'journey hook', kind: 'events', connector: 'webhook', filter: { events: [] }, config: { url: hook.url } });
    expect(journeyHook.status).toBe(201);
    const journey = await api('/v1/journeys', 'POST', {
      name: 'thanks',
      definition: {
        version: 1,
        trigger: { type: 'event', event: 'Order Completed' },
        steps: [
          { id: 'hook', type: 'send', channel: 'webhook', destinationId: journeyHook.body.id, message: { data: { thanks: 'yes' } }, next: 'done' },
          { id: 'done', type: 'exit' },
        ],
      },
    });
    expect(journey.status, JSON.stringify(journey.body)).toBe(201);
    expect((await api(`/v1/journeys/${journey.body.id}/activate`, 'POST')).status).toBe(200);

    await send('/v1/identify', { userId: 'u1', traits: { ...PERSON, name: 'Sealed Person' } });
    await send('/v1/track', { userId: 'u1', event: 'Order Completed', properties: { ...PERSON, orderId: 'o-1', total: 42 } });
    // The second item is refused (no identity): a failed event.
    await send('/v1/batch', { batch: [{ type: 'track', userId: 'u1', event: 'Fine' }, { type: 'track', event: 'No identity', properties: { email: PERSON.email } }] });
    await send('/v1/track', { userId: 'u1', event: 'Poison', properties: { ...PERSON } });
    await server!.meridian.drainPipeline();
    const setAside = (await api('/v1/pipeline/failures?limit=100')).body.data;
    expect(setAside.length).toBeGreaterThan(0);
    expect(setAside[0].item.payload.properties).toMatchObject(PERSON);
    // Forwarded (the log event, opened) and sent by the journey (which read the event to enter).
    await eventually(() => expect(hook!.accepted.length).toBeGreaterThanOrEqual(3));
    expect(hook!.accepted.some((r) => JSON.stringify(r.body).includes(PERSON.email))).toBe(true);
    expect((await api(`/v1/journeys/${journey.body.id}/enrollments?limit=10`)).body.data).toHaveLength(1);

    const messages = await eventsOf('u1');
    expect(messages.map((m: any) => m.type).sort()).toEqual(['identify', 'track', 'track', 'track']);
    expect(messages.find((m: any) => m.event === 'Order Completed').properties).toMatchObject(PERSON);

    expect((await tablesHolding(VALUES)).filter((t) => SEALED_TABLES.includes(t))).toEqual([]);
  });

  // needs enc-identity: the identity graph and profiles (identity_*, profiles.traits, profile_search)
  // are sealed by that change; with both merged no table and no file of the store holds them.
  it.skipIf(!identityEncrypted)('leaves no plaintext email or phone in any table or file of the store', async () => {
    expect(await tablesHolding(VALUES)).toEqual([]);
    if (store === 'sqlite') {
      await server!.meridian.log.compact({ vacuum: false });
      await server!.meridian.storage.compact?.();
      const residue = await searchFiles(await filesUnder(dataDir), VALUES);
      expect(residue.map((r) => r.file)).toEqual([]);
    }
  });

  it('re-encrypts every sealed value under a new data key on rotation, and reads it all back after a restart', async () => {
    await start(KEK_A);
    const before = await settled();
    const rotated = await api('/v1/privacy/keys/rotate', 'POST');
    expect(rotated.status).toBe(202);
    expect(rotated.body.activeKeyId).not.toBe(before.activeKeyId);
    await settled();
    // Appended after the rotation: sealed by the writer under the new key too.
    await send('/v1/track', { userId: 'u1', event: 'Viewed', properties: { email: PERSON.email } });
    const { rows } = await sql<{ k: string | null }>`SELECT DISTINCT payload_key AS k FROM events`.execute(server!.meridian.storage.db);
    expect(rows.map((r) => r.k)).toEqual([rotated.body.activeKeyId]);
    expect((await tablesHolding(VALUES)).filter((t) => SEALED_TABLES.includes(t))).toEqual([]);

    await start(KEK_A);
    expect((await eventsOf('u1')).map((m: any) => m.event ?? m.type).sort()).toEqual(['Fine', 'Order Completed', 'Poison', 'Viewed', 'identify']);
    expect((await eventsOf('early'))[0].traits).toEqual(EARLY);
    const failed = await api('/v1/failed-events?limit=10');
    expect(failed.body.data[0].payload.properties.email).toBe(PERSON.email);
  });
});
