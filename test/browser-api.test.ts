// What a web page's calls meet, through plain HTTP with the headers a browser sends: CORS on the
// collection endpoints (errors included), per-source allowed origins, the admin API closed to
// unconfigured origins, the snippet endpoints, the user agent parsed and the client IP trusted only
// from configured proxies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, startTestServer, track, type TestServer } from './helpers/server.js';
import { storesUnderTest } from './helpers/stores.js';

const SHOP = 'https://shop.example';
const EVIL = 'https://evil.example';
const CHROME_MAC =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1';

const preflight = (url: string, origin: string, method = 'POST', headers = 'authorization,content-type') =>
  fetch(url, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': headers } });

describe.each(storesUnderTest())('browser calls on %s', (store) => {
  let server: TestServer;
  let open: { id: string; writeKey: string };
  let restricted: { id: string; writeKey: string };

  beforeAll(async () => {
    server = await startTestServer({ store, config: { adminOrigins: ['https://console.example'] } });
    open = await server.createSource('web');
    restricted = await server.createSource('shop', { allowedOrigins: [SHOP, 'https://*.shop.example'] });
  });
  afterAll(() => server?.close());

  const eventsOf = async (sourceId: string) => ((await (await server.admin(`/v1/events?sourceId=${sourceId}&limit=100`)).json()) as { data: any[] }).data;

  it('answers a tracking preflight with the methods and headers the SDK asks for, cached a day', async () => {
    for (const path of ['/v1/track', '/v1/t', '/v1/batch', '/v1/b', '/v1/page', '/v1/alias']) {
      const res = await preflight(server.url + path, 'https://any.example', 'POST', 'authorization,content-type,anonymousid');
      expect(res.status, path).toBe(204);
      expect(res.headers.get('access-control-allow-origin'), path).toBe('https://any.example');
      expect(res.headers.get('access-control-allow-methods'), path).toContain('POST');
      expect(res.headers.get('access-control-allow-headers'), path).toBe('authorization,content-type,anonymousid');
      expect(res.headers.get('access-control-max-age'), path).toBe('86400');
      expect(res.headers.get('access-control-allow-credentials'), path).toBeNull();
    }
  });

  it('lets the page read every answer, errors included', async () => {
    const origin = { origin: 'https://any.example' };
    const cases: [string, Response][] = [
      ['200', await track(server.url, open.writeKey, '/v1/track', { anonymousId: 'a-cors', event: 'Viewed' }, origin)],
      ['400', await track(server.url, open.writeKey, '/v1/track', { anonymousId: 'a-cors' }, origin)],
      ['401', await track(server.url, 'wk_unknown', '/v1/track', { anonymousId: 'a-cors', event: 'X' }, origin)],
      ['413', await track(server.url, open.writeKey, '/v1/track', { anonymousId: 'a', event: 'X', properties: { s: 'x'.repeat(600_000) } }, origin)],
    ];
    for (const [status, res] of cases) {
      expect(res.status, status).toBe(Number(status));
      expect(res.headers.get('access-control-allow-origin'), status).toBe('https://any.example');
      expect(res.headers.get('vary'), status).toContain('Origin');
    }
    const limited = await server.createSource('limited', { rateLimit: 1 });
    // A batch may take the bucket into debt; the next call then waits.
    await track(server.url, limited.writeKey, '/v1/b', { batch: [1, 2, 3].map((n) => ({ type: 'track', anonymousId: 'a', event: `E${n}` })) }, origin);
    const res = await track(server.url, limited.writeKey, '/v1/t', { anonymousId: 'a', event: 'Y' }, origin);
    expect(res.status).toBe(429);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://any.example');
    expect(res.headers.get('access-control-expose-headers')).toMatch(/retry-after/i);
  });

  it('stores a text/plain body as sendBeacon sends it', async () => {
    const res = await fetch(server.url + '/v1/t', {
      method: 'POST',
      headers: { origin: 'https://any.example', 'content-type': 'text/plain;charset=UTF-8' },
      body: JSON.stringify({ writeKey: open.writeKey, anonymousId: 'a-beacon', event: 'Left', type: 'track' }),
    });
    expect(res.status).toBe(200);
    expect((await eventsOf(open.id)).filter((e) => e.message.anonymousId === 'a-beacon')).toHaveLength(1);
  });

  it('refuses a call from an origin the source does not list, and stores nothing', async () => {
    const res = await track(server.url, restricted.writeKey, '/v1/track', { anonymousId: 'a-evil', event: 'Stolen' }, { origin: EVIL });
    expect(res.status).toBe(403);
    expect((await res.json()).error).toMatchObject({ code: 'origin_not_allowed' });
    for (const origin of [SHOP, 'https://www.shop.example']) {
      const ok = await track(server.url, restricted.writeKey, '/v1/track', { anonymousId: 'a-shop', event: 'Bought' }, { origin });
      expect(ok.status, origin).toBe(200);
    }
    // A server-side call sends no Origin: an origin list cannot restrict it.
    expect((await track(server.url, restricted.writeKey, '/v1/track', { anonymousId: 'a-server', event: 'Synced' })).status).toBe(200);
    const stored = await eventsOf(restricted.id);
    expect(stored.map((e) => e.message.anonymousId).sort()).toEqual(['a-server', 'a-shop', 'a-shop']);
  });

  it('gives no allow header to a preflight from an origin no source admits', async () => {
    const solo = await startTestServer({ store });
    try {
      const only = await solo.createSource('shop only', { allowedOrigins: [SHOP] });
      const refused = await preflight(solo.url + '/v1/track', EVIL);
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();
      expect((await preflight(solo.url + '/v1/track', SHOP)).headers.get('access-control-allow-origin')).toBe(SHOP);
      // A preflight whose URL names the write key is held to that source's list.
      expect((await preflight(`${solo.url}/sourceConfig/?writeKey=${only.writeKey}`, EVIL, 'GET')).headers.get('access-control-allow-origin')).toBeNull();
      // Lifting the restriction, or a new source open to all, takes effect at once.
      await solo.admin(`/v1/sources/${only.id}`, { method: 'PATCH', body: JSON.stringify({ allowedOrigins: null }) });
      expect((await preflight(solo.url + '/v1/track', EVIL)).headers.get('access-control-allow-origin')).toBe(EVIL);
      await solo.admin(`/v1/sources/${only.id}`, { method: 'PATCH', body: JSON.stringify({ allowedOrigins: [SHOP] }) });
      expect((await preflight(solo.url + '/v1/track', EVIL)).headers.get('access-control-allow-origin')).toBeNull();
      await solo.createSource('open to all');
      expect((await preflight(solo.url + '/v1/track', EVIL)).headers.get('access-control-allow-origin')).toBe(EVIL);
    } finally {
      await solo.close();
    }
  });

  it('keeps allowed origins on the source through the admin API and validates them', async () => {
    const got = await (await server.admin(`/v1/sources/${restricted.id}`)).json();
    expect(got.allowedOrigins).toEqual([SHOP, 'https://*.shop.example']);
    const bad = await server.admin(`/v1/sources/${restricted.id}`, { method: 'PATCH', body: JSON.stringify({ allowedOrigins: ['shop.example/path'] }) });
    expect(bad.status).toBe(400);
    expect((await (await server.admin(`/v1/sources/${open.id}`)).json()).allowedOrigins).toBeNull();
  });

  it('answers the admin API cross-origin only to a configured admin origin', async () => {
    const headers = { authorization: `Bearer test-admin-key-0123456789` };
    const stranger = await fetch(server.url + '/v1/sources', { headers: { ...headers, origin: EVIL } });
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
    expect((await preflight(server.url + '/v1/sources', EVIL, 'GET')).headers.get('access-control-allow-origin')).toBeNull();
    const consoleOrigin = 'https://console.example';
    const pre = await preflight(server.url + '/v1/sources', consoleOrigin, 'PATCH', 'authorization,content-type');
    expect(pre.headers.get('access-control-allow-origin')).toBe(consoleOrigin);
    expect(pre.headers.get('access-control-allow-methods')).toContain('PATCH');
    const call = await fetch(server.url + '/v1/sources', { headers: { ...headers, origin: consoleOrigin } });
    expect(call.status).toBe(200);
    expect(call.headers.get('access-control-allow-origin')).toBe(consoleOrigin);
  });

  it('serves Segment settings that send back here, and the analytics.js bundle', async () => {
    const res = await fetch(`${server.url}/v1/projects/${open.writeKey}/settings`, { headers: { origin: 'https://any.example' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://any.example');
    const host = new URL(server.url).host;
    expect((await res.json()).integrations['Segment.io']).toMatchObject({ apiKey: open.writeKey, apiHost: `${host}/v1`, protocol: 'http' });
    const js = await fetch(`${server.url}/analytics.js/v1/${open.writeKey}/analytics.min.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect(await js.text()).toContain('AnalyticsNext');
    const unknown = await fetch(`${server.url}/v1/projects/wk_nope/settings`);
    expect(unknown.status).toBe(401);
    expect((await unknown.json()).error.code).toBe('invalid_write_key');
    const evil = await fetch(`${server.url}/v1/projects/${restricted.writeKey}/settings`, { headers: { origin: EVIL } });
    expect(evil.status).toBe(403);
    expect((await fetch(`${server.url}/analytics-next/bundles/..%2Fpackage.json`)).status).toBe(404);
  });

  it('serves the RudderStack source config for a write key sent as Basic auth', async () => {
    const res = await fetch(`${server.url}/sourceConfig/?p=npm&v=3.34.1&build=modern&writeKey=${open.writeKey}`, {
      headers: { authorization: basic(open.writeKey), origin: 'https://any.example' },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ source: { id: open.id, name: 'web', writeKey: open.writeKey, enabled: true, config: {}, destinations: [] } });
    await server.admin(`/v1/sources/${open.id}`, { method: 'PATCH', body: JSON.stringify({ enabled: false }) });
    try {
      const disabled = await fetch(`${server.url}/sourceConfig/?writeKey=${open.writeKey}`, { headers: { authorization: basic(open.writeKey) } });
      expect(disabled.status).toBe(403);
      expect((await disabled.json()).error.code).toBe('source_disabled');
    } finally {
      await server.admin(`/v1/sources/${open.id}`, { method: 'PATCH', body: JSON.stringify({ enabled: true }) });
    }
    expect((await fetch(`${server.url}/sourceConfig/?writeKey=wk_nope`)).status).toBe(401);
  });

  it('adds device, OS and browser from the user agent without overwriting what the SDK sent', async () => {
    await track(server.url, open.writeKey, '/v1/page', {
      anonymousId: 'a-ua-1',
      context: { userAgent: IPHONE, page: { url: 'https://shop.example/?utm_source=news' }, campaign: { source: 'news' } },
    });
    await track(server.url, open.writeKey, '/v1/page', { anonymousId: 'a-ua-2', context: { userAgent: CHROME_MAC, os: { name: 'macOS' } } });
    // A browser call without context.userAgent: the header tells.
    await track(server.url, open.writeKey, '/v1/page', { anonymousId: 'a-ua-3' }, { origin: SHOP, 'user-agent': IPHONE });
    // A server call: its own User-Agent is not the person's.
    await track(server.url, open.writeKey, '/v1/page', { anonymousId: 'a-ua-4' }, { 'user-agent': IPHONE });
    const byAnon = Object.fromEntries((await eventsOf(open.id)).map((e) => [e.message.anonymousId, e.message.context]));
    expect(byAnon['a-ua-1']).toMatchObject({
      device: { manufacturer: 'Apple', model: 'iPhone', type: 'mobile' },
      os: { name: 'iOS', version: '17.2' },
      browser: { name: 'Mobile Safari', version: '17.2' },
      page: { url: 'https://shop.example/?utm_source=news' },
      campaign: { source: 'news' },
    });
    expect(byAnon['a-ua-2'].os).toEqual({ name: 'macOS', version: '10.15.7' });
    expect(byAnon['a-ua-2'].browser).toEqual({ name: 'Chrome', version: '131.0.0.0' });
    expect(byAnon['a-ua-2'].device).toEqual({ manufacturer: 'Apple', model: 'Macintosh', type: 'desktop' });
    expect(byAnon['a-ua-3']).toMatchObject({ userAgent: IPHONE, os: { name: 'iOS' } });
    expect(byAnon['a-ua-4'].os).toBeUndefined();
    expect(byAnon['a-ua-4'].userAgent).toBeUndefined();
  });
});

describe('client IP', () => {
  const ipOf = async (server: TestServer, key: string, anon: string, headers: Record<string, string>) => {
    expect((await track(server.url, key, '/v1/track', { anonymousId: anon, event: 'X' }, headers)).status).toBe(200);
    const events = (await (await server.admin(`/v1/events?anonymousId=${anon}`)).json()).data;
    return events[0].message.context.ip;
  };

  it('is the socket address unless the request came through a trusted proxy', async () => {
    const direct = await startTestServer();
    try {
      const { writeKey } = await direct.createSource();
      expect(await ipOf(direct, writeKey, 'a-ip-1', { 'x-forwarded-for': '203.0.113.9' })).toBe('127.0.0.1');
    } finally {
      await direct.close();
    }
    const proxied = await startTestServer({ config: { trustedProxies: ['127.0.0.1/8'] } });
    try {
      const { writeKey } = await proxied.createSource();
      expect(await ipOf(proxied, writeKey, 'a-ip-2', { 'x-forwarded-for': '198.51.100.7, 203.0.113.9' })).toBe('203.0.113.9');
    } finally {
      await proxied.close();
    }
  });
});

describe('where the Segment settings send analytics.js', () => {
  const segmentIo = async (server: TestServer, headers: Record<string, string> = {}) => {
    const { writeKey } = await server.createSource();
    const res = await fetch(`${server.url}/v1/projects/${writeKey}/settings`, { headers });
    return (await res.json()).integrations['Segment.io'];
  };

  it('is the scheme and host a trusted proxy forwarded, else the request\'s own', async () => {
    const direct = await startTestServer();
    const proxied = await startTestServer({ config: { trustedProxies: ['127.0.0.1'] } });
    try {
      const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'cdp.shop.example' };
      expect(await segmentIo(direct, forwarded)).toMatchObject({ protocol: 'http', apiHost: `${new URL(direct.url).host}/v1` });
      expect(await segmentIo(proxied, forwarded)).toMatchObject({ protocol: 'https', apiHost: 'cdp.shop.example/v1' });
    } finally {
      await Promise.all([direct.close(), proxied.close()]);
    }
  });

  it('is MERIDIAN_PUBLIC_URL when set, path included', async () => {
    const server = await startTestServer({ config: { publicUrl: 'https://shop.example/cdp' } });
    try {
      expect(await segmentIo(server)).toMatchObject({ protocol: 'https', apiHost: 'shop.example/cdp/v1' });
    } finally {
      await server.close();
    }
  });
});
