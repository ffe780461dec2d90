// Field encryption of the identity graph and the profile store through the public API, checked in the
// raw tables: with a KEK, no column of the graph or profile tables holds a test email or phone (classified
// identifiers are keyed by blind index, their values, the folded state and classified traits sealed),
// while lookups by email and phone, search, stitching across devices, merge and unmerge, an
// email-equality segment and a KEK rotation all keep working; a rule that would read the sealed value
// (contains) is refused with a 422.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestServer, track, type TestServer } from './helpers/server.js';
import { freshPgSchema, storesUnderTest } from './helpers/stores.js';
import { eventually } from './helpers/eventually.js';

const KEK_A = 'd4'.repeat(32);
const KEK_B = 'e5'.repeat(32);
const JANE = { email: 'Jane.Doe@Example.com', normal: 'jane.doe@example.com', phone: '+886 912 345 678', e164: '+886912345678' };
const BOB = { email: 'bob.stone@example.org', phone: '+886 922 111 333', e164: '+886922111333' };
/** Every table of the identity graph and profile store that this encryption covers. */
const TABLES = ['identity_identifiers', 'identity_profiles', 'identity_merges', 'identity_decisions', 'identity_unmerges', 'identity_separations', 'profiles', 'profile_search', 'profile_events'];
/** What must never be found in them, in any case: the values as sent and normalised, and their local parts. */
const SECRETS = [JANE.normal, JANE.e164, '912345678', 'jane.doe', BOB.email, BOB.e164, '922111333', 'bob.stone', 'Jane Doe'];

describe.each(storesUnderTest())('field encryption of identities and profiles (%s)', (store) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'meridian-enc-id-'));
  let schema: { schema: string; drop: () => Promise<void> } | undefined;
  let server: TestServer | undefined;
  let writeKey = '';
  afterAll(async () => {
    await server?.close();
    await schema?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const start = async (config: { kek?: string; previousKek?: string }) => {
    await server?.close();
    server = undefined;
    if (store === 'postgres') schema ??= await freshPgSchema();
    server = await startTestServer({ store, dataDir, pgSchema: schema?.schema, config });
    return server;
  };
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await server!.admin(path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return { status: res.status, body: (await res.json()) as any };
  };
  const get = (path: string) => call('GET', path);
  const send = async (path: string, body: unknown) => expect((await track(server!.url, writeKey, path, body)).status).toBe(200);
  /** A table's columns in this store's schema (Kysely's introspection lists every schema, which other test files drop meanwhile). */
  const columnsOf = async (table: string): Promise<string[]> => {
    const db = server!.meridian.storage.db;
    const cols =
      store === 'sqlite'
        ? (await sql<{ name: string }>`SELECT name FROM pragma_table_info(${table})`.execute(db)).rows.map((c) => c.name)
        : (await sql<{ column_name: string }>`SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ${table}`.execute(db)).rows.map((c) => c.column_name);
    expect(cols.length, table).toBeGreaterThan(0);
    return cols;
  };
  /** Every row of the covered tables as text, each column in the store's own text form. */
  const rawRows = async (): Promise<string> => {
    const db = server!.meridian.storage.db;
    const parts: string[] = [];
    for (const table of TABLES) {
      for (const col of await columnsOf(table)) {
        const rows = await sql<{ v: string | null }>`SELECT CAST(${sql.ref(col)} AS TEXT) AS v FROM ${sql.table(table)}`.execute(db);
        parts.push(...rows.rows.map((r) => `${table}.${col}=${r.v ?? ''}`));
      }
    }
    return parts.join('\n');
  };
  /** LIKE over every text column of the covered tables, case-insensitively: rows holding `needle`. */
  const likeHits = async (needle: string): Promise<string[]> => {
    const db = server!.meridian.storage.db;
    const hits: string[] = [];
    for (const table of TABLES) {
      for (const col of await columnsOf(table)) {
        const n = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM ${sql.table(table)} WHERE LOWER(CAST(${sql.ref(col)} AS TEXT)) LIKE ${`%${needle.toLowerCase()}%`}`.execute(db);
        if (Number(n.rows[0].n) > 0) hits.push(`${table}.${col}`);
      }
    }
    return hits;
  };

  it('resolves, stitches and looks people up by email and phone while the tables hold none of them', async () => {
    await start({ kek: KEK_A });
    writeKey = (await server!.createSource('web')).writeKey;
    // Device 1 browses anonymously, then Jane signs up on it; device 2 only ever gives her email.
    await send('/v1/track', { anonymousId: 'device-1', event: 'Viewed', properties: { page: '/pricing' } });
    await send('/v1/identify', { userId: 'u-jane', anonymousId: 'device-1', traits: { email: JANE.email, phone: JANE.phone, name: 'Jane Doe', plan: 'pro' } });
    await send('/v1/track', { anonymousId: 'device-2', event: 'Opened', context: { traits: { email: ' JANE.DOE@example.com ' } } });
    // Bob: two anonymous profiles, merged when one event carries both his email and his phone.
    await send('/v1/identify', { anonymousId: 'bob-laptop', traits: { email: BOB.email, plan: 'free' } });
    await send('/v1/identify', { anonymousId: 'bob-phone', traits: { phone: BOB.phone } });
    await send('/v1/track', { anonymousId: 'bob-tablet', event: 'Linked', properties: { email: BOB.email, phone: BOB.phone } });
    // An unusable email is recorded as a decision: by blind index, not in clear.
    await send('/v1/track', { anonymousId: 'device-1', event: 'Typo', properties: { email: 'jane.doe@' } });
    await server!.meridian.drainPipeline();

    const byEmail = await get(`/v1/profiles/email/${encodeURIComponent('JANE.doe@example.com')}`);
    expect(byEmail.status).toBe(200);
    const byPhone = await get(`/v1/profiles/phone/${encodeURIComponent('+886-912-345-678')}`);
    expect(byPhone.body.id).toBe(byEmail.body.id);
    expect((await get('/v1/profiles/anonymous_id/device-2')).body.id).toBe(byEmail.body.id);
    expect(byEmail.body.identities).toEqual(
      expect.arrayContaining([
        { type: 'email', value: JANE.normal },
        { type: 'phone', value: JANE.e164 },
        { type: 'user_id', value: 'u-jane' },
        { type: 'anonymous_id', value: 'device-1' },
        { type: 'anonymous_id', value: 'device-2' },
      ]),
    );
    expect(byEmail.body.traits).toMatchObject({ email: { value: JANE.email }, phone: { value: JANE.phone }, name: { value: 'Jane Doe' }, plan: { value: 'pro' } });
    // The timeline (profile_events) keeps classified properties sealed and shows them opened.
    const timeline = (await get(`/v1/profiles/email/${JANE.normal}/events?type=identify`)).body.data;
    expect(timeline[0].properties).toMatchObject({ email: JANE.email, phone: JANE.phone, name: 'Jane Doe', plan: 'pro' });
    const invalid = await sql<{ identifier: string }>`SELECT identifier FROM identity_decisions WHERE reason = 'invalid_value'`.execute(server!.meridian.storage.db);
    expect(invalid.rows.map((r) => r.identifier)).toEqual([expect.stringMatching(/^email:bi1\./)]);

    const bob = await get(`/v1/profiles/email/${BOB.email}`);
    expect((await get(`/v1/profiles/phone/${encodeURIComponent(BOB.phone)}`)).body.id).toBe(bob.body.id);
    const merges = (await get(`/v1/profiles/email/${BOB.email}/merges`)).body.data;
    expect(merges).toContainEqual(expect.objectContaining({ kind: 'merge', identifiers: expect.arrayContaining([expect.objectContaining({ type: expect.any(String) })]) }));
    expect(JSON.stringify(merges)).toMatch(/bob-|bob\.stone|922111333/);

    // Search: exact email and phone find the profile; a prefix of a classified value cannot (blind
    // index), a prefix of an unclassified trait or identifier still does.
    const search = async (q: string) => (await get(`/v1/profiles?q=${encodeURIComponent(q)}`)).body.data.map((p: { id: string }) => p.id);
    expect(await search('Jane.Doe@example.com')).toContain(byEmail.body.id);
    expect(await search(JANE.phone)).toContain(byEmail.body.id);
    expect(await search('jane.do')).not.toContain(byEmail.body.id);
    expect(await search('u-ja')).toContain(byEmail.body.id);
    expect(await search('pr')).toContain(byEmail.body.id);
    const hit = (await get(`/v1/profiles?q=${encodeURIComponent(JANE.email)}`)).body.data.find((p: { id: string }) => p.id === byEmail.body.id);
    expect(hit.traits.email).toBe(JANE.email);
    expect(hit.identities).toContainEqual({ type: 'email', value: JANE.normal });

    for (const secret of SECRETS) expect(await likeHits(secret), secret).toEqual([]);
    const raw = await rawRows();
    expect(raw).toContain('email:bi1.');
    expect(raw).toContain('enc1.');
  });

  it('unmerges by email and keeps the graph sealed', async () => {
    const bob = (await get(`/v1/profiles/email/${BOB.email}`)).body.id;
    const split = await call('POST', `/v1/profiles/email/${encodeURIComponent(BOB.email.toUpperCase())}/unmerge`, {
      identifiers: [
        { type: 'phone', value: BOB.phone },
        { type: 'anonymous_id', value: 'bob-phone' },
      ],
    });
    expect(split.status).toBe(200);
    const byEmail = await get(`/v1/profiles/email/${BOB.email}`);
    const byPhone = await get(`/v1/profiles/phone/${encodeURIComponent(BOB.phone)}`);
    expect(byEmail.body.id).toBe(split.body.profileId);
    expect(byPhone.body.id).toBe(split.body.newProfileId);
    expect(byPhone.body.id).not.toBe(byEmail.body.id);
    expect([byEmail.body.id, byPhone.body.id]).toContain(bob);
    expect(byPhone.body.identities).toContainEqual({ type: 'phone', value: BOB.e164 });
    const history = (await get(`/v1/profiles/phone/${encodeURIComponent(BOB.phone)}/merges`)).body.data;
    expect(history).toContainEqual(expect.objectContaining({ kind: 'unmerge', identifiers: expect.arrayContaining([{ type: 'phone', value: BOB.e164 }]) }));
    for (const secret of SECRETS) expect(await likeHits(secret), secret).toEqual([]);
  });

  it('evaluates an email-equality segment on blind indexes, in batch and as events arrive, and refuses contains', async () => {
    const jane = (await get(`/v1/profiles/email/${JANE.normal}`)).body.id;
    const rule = { version: 1, root: { type: 'trait', path: 'email', op: 'equals', value: 'JANE.DOE@example.com' } };
    const preview = await call('POST', '/v1/segments/preview', { rule });
    expect(preview.status).toBe(200);
    expect(preview.body.count).toBe(1);
    expect(preview.body.sample[0]).toMatchObject({ profileId: jane, traits: { email: JANE.email } });
    const seg = await call('POST', '/v1/segments', { name: 'jane by email', rule });
    expect(seg.status).toBe(201);
    const inList = await call('POST', '/v1/segments', {
      name: 'known emails',
      rule: { version: 1, root: { type: 'trait', path: 'email', op: 'in', value: [BOB.email.toUpperCase(), 'nobody@example.com'] } },
    });
    const members = async (id: string) => (await get(`/v1/segments/${id}/members`)).body.data.map((m: { profileId: string }) => m.profileId);
    expect(await members(seg.body.id)).toEqual([jane]);
    expect(await members(inList.body.id)).toEqual([(await get(`/v1/profiles/email/${BOB.email}`)).body.id]);
    // Another user id with the same email in other case (kept apart: one user id per profile) joins as
    // its events arrive (the realtime evaluator).
    await send('/v1/identify', { userId: 'u-jane-2', traits: { email: 'jane.doe@EXAMPLE.com' } });
    await server!.meridian.drainPipeline();
    const second = (await get('/v1/profiles/user_id/u-jane-2')).body.id;
    expect(second).not.toBe(jane);
    await eventually(async () => expect((await members(seg.body.id)).sort()).toEqual([jane, second].sort()));
    const withContacts = (await get(`/v1/segments/${seg.body.id}/members?contacts=true`)).body.data;
    expect(withContacts.find((m: { profileId: string }) => m.profileId === jane).contacts).toEqual({ email: JANE.normal, phone: JANE.e164, name: 'Jane Doe' });

    for (const op of ['contains', 'starts_with'] as const) {
      const res = await call('POST', '/v1/segments', { name: `bad ${op}`, rule: { version: 1, root: { type: 'trait', path: 'email', op, value: 'example' } } });
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('rule_on_encrypted_field');
      expect(res.body.error.message).toMatch(/trait email is encrypted at rest/);
      expect(res.body.error.details).toMatchObject({ path: 'email', op });
    }
    const range = await call('POST', '/v1/segments/preview', { rule: { version: 1, root: { type: 'trait', path: 'phone', op: 'gt', value: 5 } } });
    expect(range.status).toBe(422);
    // A classified event property is sealed in the timeline without an index: a filter may test only its presence.
    const onEvent = await call('POST', '/v1/segments/preview', { rule: { version: 1, root: { type: 'event', event: 'Linked', where: [{ property: 'email', op: 'equals', value: BOB.email }] } } });
    expect(onEvent.status).toBe(422);
    expect(onEvent.body.error).toMatchObject({ code: 'rule_on_encrypted_field', details: { path: 'email', op: 'equals' } });
    expect(onEvent.body.error.message).toMatch(/event property email is encrypted at rest/);
    const present = await call('POST', '/v1/segments/preview', { rule: { version: 1, root: { type: 'event', event: 'Linked', where: [{ property: 'email', op: 'exists' }] } } });
    expect(present.status).toBe(200);
    expect(present.body.count).toBe(1);
    // Rules on unclassified traits are untouched.
    expect((await call('POST', '/v1/segments/preview', { rule: { version: 1, root: { type: 'trait', path: 'plan', op: 'starts_with', value: 'pr' } } })).body.count).toBe(1);
  });

  it('rotates the KEK: every sealed value re-encrypted, lookups and segments unchanged', async () => {
    const jane = (await get(`/v1/profiles/email/${JANE.normal}`)).body.id;
    await start({ kek: KEK_B, previousKek: KEK_A });
    // The pass every start runs must end first: a rotation during one is refused (409 rotation_in_progress).
    const before = await eventually(async () => {
      const s = (await get('/v1/privacy/keys')).body;
      expect(s.reencryption.running).toBe(false);
      return s;
    });
    const rotated = await call('POST', '/v1/privacy/keys/rotate');
    expect(rotated.status).toBe(202);
    expect(rotated.body.activeKeyId).not.toBe(before.activeKeyId);
    await eventually(async () => expect((await get('/v1/privacy/keys')).body.reencryption).toMatchObject({ running: false, remaining: 0, error: null }));
    const raw = await rawRows();
    expect(raw).not.toContain(`enc1.${before.activeKeyId}.`);

    await start({ kek: KEK_B });
    const byEmail = await get(`/v1/profiles/email/${JANE.normal}`);
    expect(byEmail.body.id).toBe(jane);
    expect(byEmail.body.traits.email.value).toBe(JANE.email);
    expect((await get(`/v1/profiles/phone/${encodeURIComponent(JANE.phone)}`)).body.id).toBe(jane);
    const preview = await call('POST', '/v1/segments/preview', { rule: { version: 1, root: { type: 'trait', path: 'email', op: 'equals', value: JANE.normal } } });
    expect(preview.body.count).toBe(2);
    for (const secret of SECRETS) expect(await likeHits(secret), secret).toEqual([]);
  });
});

describe('field encryption turned on over profiles stored in clear', () => {
  it('re-derives them sealed at start, and leaves a store without a KEK in clear', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'meridian-enc-id-late-'));
    let server = await startTestServer({ dataDir });
    try {
      const { writeKey } = await server.createSource('web');
      expect((await track(server.url, writeKey, '/v1/identify', { userId: 'u-late', traits: { email: 'late.adopter@example.com' } })).status).toBe(200);
      await server.meridian.drainPipeline();
      const clear = await sql<{ key: string }>`SELECT key FROM identity_identifiers`.execute(server.meridian.storage.db);
      expect(clear.rows.map((r) => r.key), JSON.stringify(clear.rows)).toContain('email:late.adopter@example.com');
      await server.close();

      server = await startTestServer({ dataDir, config: { kek: KEK_A } });
      await server.meridian.drainPipeline();
      const found = await server.admin('/v1/profiles/email/late.adopter@example.com');
      expect(found.status).toBe(200);
      expect(((await found.json()) as any).traits.email.value).toBe('late.adopter@example.com');
      const keys = await sql<{ key: string }>`SELECT key FROM identity_identifiers`.execute(server.meridian.storage.db);
      expect(keys.rows.map((r) => r.key).join(' ')).not.toContain('late.adopter');
      const traits = await sql<{ t: string }>`SELECT CAST(traits AS TEXT) AS t FROM profiles`.execute(server.meridian.storage.db);
      expect(traits.rows.map((r) => r.t).join(' ')).not.toContain('late.adopter');
    } finally {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
