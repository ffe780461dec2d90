// Resolution rules through the public APIs: limits and priorities decide what merges, the decision is
// recorded, rules are configurable per workspace and a rebuild applies them to past events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/shared/clock.js';
import { startTestServer, track, type TestServer } from './helpers/server.js';
import { storesUnderTest } from './helpers/stores.js';
import { adminApi } from './helpers/admin-api.js';

const T0 = Date.parse('2026-04-01T09:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

describe.each(storesUnderTest())('identity rules on %s', (store) => {
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

  it('does not merge two known users who share a device; the shared identifiers are dropped from the second', async () => {
    await send('/v1/identify', { userId: 'mum', anonymousId: 'tablet-anon', context: { device: { id: 'family-tablet' } }, timestamp: at(0) });
    await send('/v1/identify', { userId: 'dad', anonymousId: 'tablet-anon', context: { device: { id: 'family-tablet' } }, timestamp: at(5) });
    await server.meridian.drainPipeline();
    const mum = await get('/v1/profiles/user_id/mum');
    const dad = await get('/v1/profiles/user_id/dad');
    expect(mum.body.id).not.toBe(dad.body.id);
    expect(mum.body.identities).toEqual(expect.arrayContaining([{ type: 'anonymous_id', value: 'tablet-anon' }, { type: 'device_id', value: 'family-tablet' }]));
    expect(dad.body.identities).toEqual([{ type: 'user_id', value: 'dad' }]);
    expect(dad.body.summary.eventCount).toBe(1);
    const decisions = await get('/v1/profiles/user_id/dad/decisions');
    expect(decisions.body.data).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ identifier: { type: 'anonymous_id', value: 'tablet-anon' }, reason: 'limit' }),
        expect.objectContaining({ identifier: { type: 'device_id', value: 'family-tablet' }, reason: 'limit' }),
      ]),
    );
  });

  it('drops the lower-priority id when a merge would exceed the email limit', async () => {
    const rules = (await get('/v1/identity/rules')).body;
    const strict = { ...rules, identifiers: rules.identifiers.map((r: any) => (r.type === 'email' ? { ...r, limit: 1 } : r)) };
    expect((await call('PUT', '/v1/identity/rules', strict)).status).toBe(200);
    await send('/v1/identify', { userId: 'kim', traits: { email: 'kim@work.example' }, timestamp: at(10) });
    await send('/v1/identify', { anonymousId: 'visitor-9', traits: { email: 'kim@home.example' }, timestamp: at(11) });
    await send('/v1/track', { userId: 'kim', anonymousId: 'visitor-9', event: 'Logged In', timestamp: at(12) });
    await server.meridian.drainPipeline();
    const kim = await get('/v1/profiles/user_id/kim');
    const visitor = await get('/v1/profiles/anonymous_id/visitor-9');
    expect(kim.body.id).not.toBe(visitor.body.id);
    expect(kim.body.summary.eventCount).toBe(2);
    expect((await get('/v1/profiles/user_id/kim/decisions')).body.data).toEqual([
      expect.objectContaining({ identifier: { type: 'anonymous_id', value: 'visitor-9' }, reason: 'limit' }),
    ]);
  });

  it('rejects rules that declare a type twice', async () => {
    const rules = (await get('/v1/identity/rules')).body;
    const res = await call('PUT', '/v1/identity/rules', { ...rules, identifiers: [...rules.identifiers, rules.identifiers[0]] });
    expect(res).toMatchObject({ status: 400, body: { error: { code: 'invalid_rules' } } });
  });

  it('adds a custom identifier type and applies it to past events with a rebuild', async () => {
    await send('/v1/identify', { anonymousId: 'wechat-visitor', traits: { wechat_openid: 'o6_bmjrPTlm6_2sgVt7hMZOPfL2M' }, timestamp: at(20) });
    await send('/v1/track', { userId: 'lin', event: 'Coupon Used', properties: { wechat_openid: 'o6_bmjrPTlm6_2sgVt7hMZOPfL2M' }, timestamp: at(21) });
    await server.meridian.drainPipeline();
    expect((await get('/v1/profiles/user_id/lin')).body.summary.eventCount).toBe(1);

    const rules = (await get('/v1/identity/rules')).body;
    const custom = { type: 'wechat_openid', paths: ['traits.wechat_openid', 'properties.wechat_openid'], normalise: 'trim', priority: 60, limit: 1, link: true };
    expect((await call('PUT', '/v1/identity/rules', { ...rules, identifiers: [...rules.identifiers, custom] })).status).toBe(200);
    const rebuild = await server.admin('/v1/identity/rebuild', { method: 'POST' });
    expect(rebuild.status).toBe(202);
    await server.meridian.drainPipeline();

    const lin = await get('/v1/profiles/wechat_openid/o6_bmjrPTlm6_2sgVt7hMZOPfL2M');
    expect(lin.body.id).toBe((await get('/v1/profiles/user_id/lin')).body.id);
    expect(lin.body.summary.eventCount).toBe(2);
    // The earlier decisions survive the rebuild: the limit still keeps the two families apart.
    expect((await get('/v1/profiles/user_id/dad')).body.id).not.toBe((await get('/v1/profiles/user_id/mum')).body.id);
  });

  it('needs an admin key to change rules', async () => {
    const rules = (await get('/v1/identity/rules')).body;
    const res = await fetch(server.url + '/v1/identity/rules', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(rules) });
    expect(res.status).toBe(401);
  });
});
