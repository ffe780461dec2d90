// Unmerge through the public API: a family tablet merged two people; splitting one off sends events,
// traits and computed traits back to the right profiles, is recorded, and survives a rebuild.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/shared/clock.js';
import { startTestServer, track, type TestServer } from './helpers/server.js';
import { storesUnderTest } from './helpers/stores.js';
import { adminApi } from './helpers/admin-api.js';

const T0 = Date.parse('2026-05-01T09:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

describe.each(storesUnderTest())('unmerge on %s', (store) => {
  let server: TestServer;
  let key: string;
  const clock = new ManualClock(T0 + 86_400_000);

  beforeAll(async () => {
    server = await startTestServer({ store, clock });
    key = (await server.createSource('app')).writeKey;
  });
  afterAll(() => server?.close());

  const { get, call } = adminApi(() => server);
  const send = async (path: string, body: object) => expect((await track(server.url, key, path, body)).status).toBe(200);
  const order = (anonymousId: string, email: string, total: number, minute: number) =>
    send('/v1/track', { anonymousId, event: 'Order Completed', properties: { email, total }, timestamp: at(minute) });

  it('splits a shared-tablet profile back into two people with their own events and computed traits', async () => {
    expect((await call('POST', '/v1/computed-traits', { name: 'orders', kind: 'count', event: 'Order Completed' })).status).toBe(201);
    expect((await call('POST', '/v1/computed-traits', { name: 'lifetime_value', kind: 'sum', event: 'Order Completed', property: 'total' })).status).toBe(201);

    await send('/v1/identify', { anonymousId: 'tablet', traits: { email: 'mum@family.example', name: 'Mum' }, timestamp: at(0) });
    await order('mum-laptop', 'mum@family.example', 100, 1);
    await order('mum-laptop', 'mum@family.example', 50, 2);
    await send('/v1/identify', { anonymousId: 'tablet', traits: { email: 'teen@family.example', name: 'Teen' }, timestamp: at(3) });
    await send('/v1/identify', { anonymousId: 'teen-phone', traits: { email: 'teen@family.example', nickname: 'T' }, timestamp: at(4) });
    await order('teen-phone', 'teen@family.example', 20, 5);
    await server.meridian.drainPipeline();

    const merged = await get('/v1/profiles/email/mum@family.example');
    expect((await get('/v1/profiles/email/teen@family.example')).body.id).toBe(merged.body.id);
    expect(merged.body.computed).toMatchObject({ orders: 3, lifetime_value: 170 });
    expect(merged.body.traits.name.value).toBe('Teen');

    const split = await call('POST', '/v1/profiles/email/teen@family.example/unmerge', {
      identifiers: [
        { type: 'email', value: 'Teen@Family.example' },
        { type: 'anonymous_id', value: 'teen-phone' },
      ],
    });
    expect(split.status).toBe(200);
    expect(split.body.newProfileId).not.toBe(split.body.profileId);

    const mum = await get('/v1/profiles/email/mum@family.example');
    const teen = await get('/v1/profiles/email/teen@family.example');
    expect(mum.body.id).toBe(split.body.profileId);
    expect(teen.body.id).toBe(split.body.newProfileId);
    expect(mum.body.computed).toMatchObject({ orders: 2, lifetime_value: 150 });
    expect(teen.body.computed).toMatchObject({ orders: 1, lifetime_value: 20 });
    expect(mum.body.traits.name.value).toBe('Mum');
    expect(teen.body.traits).toMatchObject({ nickname: { value: 'T' } });
    expect(teen.body.identities).toEqual(expect.arrayContaining([{ type: 'anonymous_id', value: 'teen-phone' }, { type: 'email', value: 'teen@family.example' }]));
    // The tablet stays with the profile that used it first; the teen's identify on it is kept apart.
    expect(mum.body.identities).toContainEqual({ type: 'anonymous_id', value: 'tablet' });
    const mumEvents = (await get('/v1/profiles/email/mum@family.example/events')).body.data;
    const teenEvents = (await get('/v1/profiles/email/teen@family.example/events')).body.data;
    expect(mumEvents.length + teenEvents.length).toBe(6);
    expect(teenEvents.map((e: any) => e.timestamp)).toEqual([at(5), at(4), at(3)]);

    const history = (await get('/v1/profiles/email/teen@family.example/merges')).body.data;
    expect(history).toContainEqual(expect.objectContaining({ kind: 'unmerge', otherProfileId: teen.body.id }));
    const changes = await server.meridian.storage.db.selectFrom('profile_changes').selectAll().where('kind', '=', 'unmerged').execute();
    expect(changes).toContainEqual(expect.objectContaining({ profile_id: mum.body.id, other_profile_id: teen.body.id }));
  });

  it('keeps the split apart for new events and after a rebuild from the log', async () => {
    await send('/v1/identify', { anonymousId: 'tablet', traits: { email: 'teen@family.example' }, timestamp: at(30) });
    await server.meridian.drainPipeline();
    const mumId = (await get('/v1/profiles/email/mum@family.example')).body.id;
    expect((await get('/v1/profiles/email/teen@family.example')).body.id).not.toBe(mumId);
    expect((await get('/v1/profiles/email/teen@family.example/decisions')).body.data).toContainEqual(
      expect.objectContaining({ identifier: { type: 'anonymous_id', value: 'tablet' }, reason: 'separated' }),
    );

    const before = { mum: (await get('/v1/profiles/email/mum@family.example')).body, teen: (await get('/v1/profiles/email/teen@family.example')).body };
    expect((await server.admin('/v1/identity/rebuild', { method: 'POST' })).status).toBe(202);
    await server.meridian.drainPipeline();
    const after = { mum: (await get('/v1/profiles/email/mum@family.example')).body, teen: (await get('/v1/profiles/email/teen@family.example')).body };
    const stable = (p: any) => ({ ...p, updatedAt: undefined, identities: [...p.identities].sort((a: any, b: any) => (a.value < b.value ? -1 : 1)) });
    expect(stable(after.mum)).toEqual(stable(before.mum));
    expect(stable(after.teen)).toEqual(stable(before.teen));
  });

  it('refuses to split off identifiers the profile does not hold', async () => {
    const res = await call('POST', '/v1/profiles/email/mum@family.example/unmerge', { identifiers: [{ type: 'email', value: 'stranger@example.com' }] });
    expect(res).toMatchObject({ status: 400, body: { error: { code: 'identifier_not_in_profile' } } });
  });
});
