// GET /v1/segments/:id/members?contacts=true: the members page's email, phone and name per member,
// masked by the caller's access to personal data like every other profile read, and refused to a role
// that may list members but not read profiles.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, track, type TestServer } from './helpers/server.js';
import { storesUnderTest } from './helpers/stores.js';

const EMAIL = 'jane.doe@gmail.com';
const PHONE = '+886912345678';
const NAME = 'Jane Doe';

describe.each(storesUnderTest())('segment members with contacts (%s)', (store) => {
  let server: TestServer;
  let segmentId: string;
  const keys = { full: '', masked: '', none: '', membersOnly: '' };

  beforeAll(async () => {
    server = await startTestServer({ store });
    const apiKeys = server.meridian.apiKeys;
    keys.full = (await apiKeys.create('admin', 'admin')).key;
    keys.masked = (await apiKeys.create('analyst', 'analyst')).key;
    keys.none = (await apiKeys.create('read-only', 'read-only')).key;
    const role = await server.admin('/v1/roles', { method: 'POST', body: JSON.stringify({ name: 'segment-viewer', permissions: ['segments:read'], piiAccess: 'full' }) });
    expect(role.status, await role.clone().text()).toBe(201);
    keys.membersOnly = (await apiKeys.create('segments only', 'segment-viewer')).key;
    const source = await server.createSource('web');
    expect((await track(server.url, source.writeKey, '/v1/identify', { userId: 'jane', traits: { email: EMAIL, phone: PHONE, name: NAME, plan: 'pro' } })).status).toBe(200);
    expect((await track(server.url, source.writeKey, '/v1/identify', { userId: 'anon-pro', traits: { plan: 'pro' } })).status).toBe(200);
    await server.meridian.drainPipeline();
    const seg = await server.admin('/v1/segments', { method: 'POST', body: JSON.stringify({ name: 'pro', rule: { version: 1, root: { type: 'trait', path: 'plan', op: 'equals', value: 'pro' } } }) });
    expect(seg.status).toBe(201);
    segmentId = ((await seg.json()) as { id: string }).id;
  }, 60_000);
  afterAll(() => server?.close());

  const get = (key: string, query: string) => fetch(`${server.url}/v1/segments/${segmentId}/members${query}`, { headers: { authorization: `Bearer ${key}` } });
  const contacts = async (level: keyof typeof keys) => {
    const res = await get(keys[level], '?contacts=true');
    expect(res.status, level).toBe(200);
    const page = (await res.json()) as { data: { profileId: string; contacts: Record<string, unknown> }[] };
    expect(page.data).toHaveLength(2);
    return page.data.map((m) => m.contacts).sort((a, b) => Object.values(b).filter(Boolean).length - Object.values(a).filter(Boolean).length);
  };

  it('adds each member contacts in full for a role that sees personal data, null where the profile has none', async () => {
    expect(await contacts('full')).toEqual([
      { email: EMAIL, phone: PHONE, name: NAME },
      { email: null, phone: null, name: null },
    ]);
  });

  it('masks them for a masked role and leaves them out for a role without personal data', async () => {
    expect((await contacts('masked'))[0]).toEqual({ email: 'j***@gmail.com', phone: '+886 9** *** 678', name: 'J*** D**' });
    const none = await contacts('none');
    expect(JSON.stringify(none)).not.toMatch(/jane|gmail|912345678|Doe/i);
  });

  it('keeps the plain list without contacts, and refuses contacts without profiles:read', async () => {
    const plain = (await (await get(keys.membersOnly, '')).json()) as { data: Record<string, unknown>[] };
    expect(plain.data).toHaveLength(2);
    expect(plain.data[0]).not.toHaveProperty('contacts');
    const refused = await get(keys.membersOnly, '?contacts=true');
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string; details: unknown } }).error).toMatchObject({ code: 'forbidden', details: { permission: 'profiles:read' } });
  });
});
