// PII masking by access level, in every way profile data leaves Meridian: the profile API, search,
// timeline, events, failed events, segment member exports (CSV and NDJSON with contacts), the live
// event debugger (SSE) and the logs. The same customer is read at each level: full, masked, none.
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, track, type TestServer } from './helpers/server.js';
import { storesUnderTest } from './helpers/stores.js';

const EMAIL = 'jane.doe@gmail.com';
const PHONE = '+886912345678';
const NAME = 'Jane Doe';
const STREET = '12 Rue de Rivoli';
const LOYALTY = 'LOY-99812';

describe.each(storesUnderTest())('PII masking by access level (%s)', (store) => {
  let server: TestServer;
  let source: { id: string; writeKey: string };
  let segmentId: string;
  const logs: string[] = [];
  const keys = { full: '', masked: '', none: '' };

  beforeAll(async () => {
    const logStream = new PassThrough();
    logStream.on('data', (chunk: Buffer) => logs.push(chunk.toString()));
    server = await startTestServer({ store, config: { logLevel: 'info', piiFields: ['loyalty_id:pii'] }, deps: { logStream } });
    const apiKeys = server.meridian.apiKeys;
    // The built-in roles' PII access (docs/security.md): admin full, analyst masked, read-only none.
    keys.full = (await apiKeys.create('admin', 'admin')).key;
    keys.masked = (await apiKeys.create('analyst', 'analyst')).key;
    // No PII, but allowed to export members (read-only plus segments:export): a custom role.
    const readOnly = (await (await server.admin('/v1/roles/read-only')).json()) as { permissions: string[] };
    const role = await server.admin('/v1/roles', { method: 'POST', body: JSON.stringify({ name: 'no-pii-exporter', permissions: [...readOnly.permissions, 'segments:export'], piiAccess: 'none' }) });
    expect(role.status, await role.clone().text()).toBe(201);
    keys.none = (await apiKeys.create('no pii', 'no-pii-exporter')).key;
    source = await server.createSource('web');
    const traits = { email: EMAIL, phone: PHONE, name: NAME, address: STREET, loyalty_id: LOYALTY, plan: 'pro' };
    expect((await track(server.url, source.writeKey, '/v1/identify', { userId: 'jane', traits })).status).toBe(200);
    expect((await track(server.url, source.writeKey, '/v1/track', { userId: 'jane', event: 'Contact Form', properties: { email: EMAIL, topic: 'refund' } })).status).toBe(200);
    // An invalid item in a batch lands in the failed events with its payload.
    const batch = [{ type: 'track', userId: 'jane', event: 'Opened' }, { type: 'track', event: 'No identity', properties: { email: EMAIL } }];
    expect((await track(server.url, source.writeKey, '/v1/batch', { batch })).status).toBe(200);
    await server.meridian.drainPipeline();
    const seg = await server.admin('/v1/segments', { method: 'POST', body: JSON.stringify({ name: 'pro', rule: { version: 1, root: { type: 'trait', path: 'plan', op: 'equals', value: 'pro' } } }) });
    expect(seg.status).toBe(201);
    segmentId = ((await seg.json()) as { id: string }).id;
  });
  afterAll(() => server?.close());

  const as = async (level: keyof typeof keys, path: string) => {
    const res = await fetch(server.url + path, { headers: { authorization: `Bearer ${keys[level]}` } });
    expect(res.status, path).toBe(200);
    return res;
  };
  const json = async (level: keyof typeof keys, path: string) => (await as(level, path)).json() as Promise<any>;
  const secrets = [EMAIL, PHONE, '912345678', NAME, 'Rivoli', LOYALTY];
  const expectNoPii = (text: string) => {
    for (const s of secrets) expect(text).not.toContain(s);
  };

  it('shows the profile in full, masked in each kind’s format, or without its personal data', async () => {
    const full = await json('full', '/v1/profiles/user_id/jane');
    expect(full.traits.email.value).toBe(EMAIL);
    expect(full.traits.phone.value).toBe(PHONE);
    expect(full.identities).toContainEqual({ type: 'email', value: EMAIL });

    const masked = await json('masked', '/v1/profiles/user_id/jane');
    expect(masked.traits.email).toMatchObject({ value: 'j***@gmail.com', source: source.id });
    expect(masked.traits.phone.value).toBe('+886 9** *** 678');
    expect(masked.traits.name.value).toBe('J*** D**');
    expect(masked.traits.address.value).toBe('** R** d* R*****');
    expect(masked.traits.loyalty_id.value).toBe('***');
    expect(masked.traits.plan.value).toBe('pro');
    expect(masked.identities).toContainEqual({ type: 'email', value: 'j***@gmail.com' });
    expect(masked.identities).toContainEqual({ type: 'user_id', value: 'jane' });
    expectNoPii(JSON.stringify(masked));

    const none = await json('none', '/v1/profiles/user_id/jane');
    expect(Object.keys(none.traits)).toEqual(['plan']);
    expect(none.identities).toEqual([{ type: 'user_id', value: 'jane' }]);
    expectNoPii(JSON.stringify(none));
  });

  it('masks search results, the timeline, the event list and failed events alike', async () => {
    const paths = ['/v1/profiles?q=jane', '/v1/profiles/user_id/jane/events', `/v1/events?sourceId=${source.id}`, `/v1/failed-events?sourceId=${source.id}`];
    for (const path of paths) {
      expect(JSON.stringify(await json('full', path)), path).toContain(EMAIL);
      const masked = JSON.stringify(await json('masked', path));
      expectNoPii(masked);
      expect(masked, path).toContain('j***@gmail.com');
      const none = JSON.stringify(await json('none', path));
      expectNoPii(none);
      expect(none, path).not.toContain('j***@gmail.com');
    }
    const timeline = await json('masked', '/v1/profiles/user_id/jane/events');
    expect(timeline.data.find((e: any) => e.event === 'Contact Form').properties).toEqual({ email: 'j***@gmail.com', topic: 'refund' });
  });

  it('masks segment member exports with contacts, as CSV and NDJSON', async () => {
    const csv = async (level: keyof typeof keys) => (await as(level, `/v1/segments/${segmentId}/members.csv?contacts=true`)).text();
    const [header, fullRow] = (await csv('full')).trim().split('\n');
    expect(header).toBe('profile_id,entered_at,email,phone,name');
    expect(fullRow).toContain(`,${EMAIL},${PHONE},${NAME}`);
    const maskedRow = (await csv('masked')).trim().split('\n')[1];
    expect(maskedRow).toMatch(/,j\*\*\*@gmail\.com,\+886 9\*\* \*\*\* 678,J\*\*\* D\*\*$/);
    const noneRow = (await csv('none')).trim().split('\n')[1];
    expect(noneRow).toMatch(/^prof_[^,]+,[^,]+,,,$/);

    const lines = async (level: keyof typeof keys) => (await (await as(level, `/v1/segments/${segmentId}/members.ndjson?contacts=true`)).text()).trim().split('\n').map((l) => JSON.parse(l));
    expect((await lines('full'))[0].contacts).toEqual({ email: EMAIL, phone: PHONE, name: NAME });
    expect((await lines('masked'))[0].contacts).toEqual({ email: 'j***@gmail.com', phone: '+886 9** *** 678', name: 'J*** D**' });
    expect((await lines('none'))[0].contacts).toEqual({});
  });

  it('masks the sample of a segment preview', async () => {
    const preview = async (level: keyof typeof keys) => {
      const res = await fetch(server.url + '/v1/segments/preview', {
        method: 'POST',
        headers: { authorization: `Bearer ${keys[level]}`, 'content-type': 'application/json' },
        body: JSON.stringify({ rule: { version: 1, root: { type: 'trait', path: 'plan', op: 'equals', value: 'pro' } }, sampleSize: 5 }),
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as { sample: { traits: Record<string, unknown> }[] }).sample[0].traits;
    };
    expect((await preview('full')).email).toBe(EMAIL);
    expect(await preview('masked')).toMatchObject({ email: 'j***@gmail.com', phone: '+886 9** *** 678', plan: 'pro' });
    expect(Object.keys(await preview('none'))).toEqual(['plan']);
  });

  it('masks the live event debugger stream', async () => {
    const firstEvent = async (level: keyof typeof keys, email: string) => {
      const ctrl = new AbortController();
      const res = await fetch(`${server.url}/v1/sources/${source.id}/live`, { headers: { authorization: `Bearer ${keys[level]}` }, signal: ctrl.signal });
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      let text = '';
      // The tail starts at the head of the log: an event sent now is the first one it shows.
      expect((await track(server.url, source.writeKey, '/v1/identify', { userId: `live-${level}`, traits: { email } })).status).toBe(200);
      while (!text.includes('event: message')) text += new TextDecoder().decode((await reader.read()).value);
      while (!/data: .*\n\n/.test(text.slice(text.indexOf('event: message')))) text += new TextDecoder().decode((await reader.read()).value);
      ctrl.abort();
      return text;
    };
    expect(await firstEvent('full', 'live.full@example.com')).toContain('live.full@example.com');
    const masked = await firstEvent('masked', 'live.masked@example.com');
    expect(masked).not.toContain('live.masked@example.com');
    expect(masked).toContain('l***@example.com');
    const none = await firstEvent('none', 'live.none@example.com');
    expect(none).not.toContain('live.none@example.com');
    expect(none).not.toContain('l***@example.com');
    expect(none).toContain('live-none');
  });

  it('keeps personal data out of the logs: lookup URLs, search queries and classified fields', async () => {
    await as('full', `/v1/profiles/email/${encodeURIComponent(EMAIL)}`);
    await as('full', `/v1/profiles?q=${encodeURIComponent(EMAIL)}`);
    server.meridian.app.log.warn({ profile: { traits: { email: EMAIL }, contact: { phone: PHONE, loyalty_id: LOYALTY } } }, 'a log line about a profile');
    await new Promise((r) => setImmediate(r));
    const text = logs.join('');
    expect(text).toContain('/v1/profiles/email/[redacted]');
    expect(text).toContain('a log line about a profile');
    for (const s of [EMAIL, encodeURIComponent(EMAIL), PHONE, LOYALTY]) expect(text).not.toContain(s);
  });
});

describe('the classification API', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await server.admin(path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return { status: res.status, body: res.status === 204 ? null : ((await res.json()) as any) };
  };

  it('lists the defaults, classifies a custom trait, declassifies a default and resets it', async () => {
    const before = (await call('GET', '/v1/privacy/classification')).body.data;
    expect(before).toContainEqual({ field: 'email', kind: 'email', origin: 'default' });
    expect(before).toContainEqual({ field: 'firstname', kind: 'name', origin: 'default' });
    expect((await call('PUT', '/v1/privacy/classification/Loyalty_Id', { kind: 'pii' })).body).toEqual({ field: 'loyaltyid', kind: 'pii', origin: 'api' });
    expect((await call('PUT', '/v1/privacy/classification/name', { kind: 'none' })).status).toBe(200);
    const after = (await call('GET', '/v1/privacy/classification')).body.data;
    expect(after).toContainEqual({ field: 'loyaltyid', kind: 'pii', origin: 'api' });
    expect(after.find((e: { field: string }) => e.field === 'name')).toBeUndefined();
    expect((await call('DELETE', '/v1/privacy/classification/name')).status).toBe(204);
    expect((await call('GET', '/v1/privacy/classification')).body.data).toContainEqual({ field: 'name', kind: 'name', origin: 'default' });
  });

  it('refuses an unknown kind, an empty field name and resetting what was never set', async () => {
    const bad = await call('PUT', '/v1/privacy/classification/vip', { kind: 'secret' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'invalid_classification', details: { field: 'kind' } });
    expect((await call('PUT', '/v1/privacy/classification/__', { kind: 'pii' })).body.error.code).toBe('invalid_classification');
    const missing = await call('DELETE', '/v1/privacy/classification/email');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ code: 'classification_not_found', details: { default: 'email' } });
  });

  it('lets only admins change it and admins or marketers read it', async () => {
    const analyst = (await server.meridian.apiKeys.create('a', 'analyst')).key;
    const marketer = (await server.meridian.apiKeys.create('m', 'marketer')).key;
    const with_ = (key: string, method = 'GET', body?: unknown) =>
      fetch(server.url + '/v1/privacy/classification' + (method === 'PUT' ? '/vip' : ''), {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
    expect((await with_(analyst)).status).toBe(403);
    expect((await with_(marketer)).status).toBe(200);
    expect((await with_(marketer, 'PUT', { kind: 'pii' })).status).toBe(403);
  });
});
