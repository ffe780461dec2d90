// Real-time personalisation through the public API: placements (admin) and /v1/decide (write key),
// answering from the visitor's profile — traits, segments, recent events — and the request context.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './helpers/eventually.js';
import { basic, startTestServer, track, type TestServer } from './helpers/server.js';
import { storesUnderTest } from './helpers/stores.js';

describe.each(storesUnderTest())('personalisation on %s', (store) => {
  let server: TestServer;
  let source: { id: string; writeKey: string };
  let vipSegment: string;
  beforeAll(async () => {
    server = await startTestServer({ store, config: { decideCacheMs: 0 } });
    source = await server.createSource('shop', { allowedOrigins: ['https://shop.example'] });
    const seg = await server.admin('/v1/segments', { method: 'POST', body: JSON.stringify({ name: 'VIP', rule: { version: 1, root: { type: 'trait', path: 'plan', op: 'equals', value: 'gold' } } }) });
    expect(seg.status, await seg.clone().text()).toBe(201);
    vipSegment = ((await seg.json()) as { id: string }).id;
  });
  afterAll(() => server?.close());

  const decide = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    fetch(`${server.url}/v1/decide`, { method: 'POST', headers: { authorization: basic(source.writeKey), 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const content = async (body: Record<string, unknown>) => {
    const res = await decide(body);
    expect(res.status, await res.clone().text()).toBe(200);
    return ((await res.json()) as { decisions: { content: unknown; rule: string | null; variant: string | null }[] }).decisions[0];
  };

  it('answers from segments, recent behaviour and context, in rule order, with the default otherwise', async () => {
    const res = await server.admin('/v1/placements', {
      method: 'POST',
      body: JSON.stringify({
        name: 'home_hero',
        rules: [
          { name: 'vip', conditions: [{ type: 'segment', segmentId: vipSegment }], content: { banner: 'vip-lounge' } },
          { name: 'shoes', conditions: [{ type: 'event', event: 'Product Viewed', withinDays: 30 }, { type: 'trait', test: { property: 'city', op: 'equals', value: 'Taipei' } }], content: { banner: 'shoes' } },
          { name: 'mobile', conditions: [{ type: 'context', test: { property: 'device.type', op: 'equals', value: 'ios' } }], content: { banner: 'app' } },
        ],
        default: { banner: 'welcome' },
      }),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    await track(server.url, source.writeKey, '/v1/identify', { userId: 'gold-1', traits: { plan: 'gold' } });
    await track(server.url, source.writeKey, '/v1/identify', { anonymousId: 'anon-2', traits: { city: 'Taipei' } });
    await track(server.url, source.writeKey, '/v1/track', { anonymousId: 'anon-2', event: 'Product Viewed', properties: { category: 'shoes' } });
    await track(server.url, source.writeKey, '/v1/identify', { userId: 'plain-3', traits: { city: 'Taipei' } });
    await server.meridian.drainPipeline();
    await eventually(async () => expect((await content({ placement: 'home_hero', userId: 'gold-1' })).content).toEqual({ banner: 'vip-lounge' }));
    expect(await content({ placement: 'home_hero', anonymousId: 'anon-2' })).toEqual({ placement: 'home_hero', rule: 'shoes', variant: null, content: { banner: 'shoes' } });
    expect((await content({ placement: 'home_hero', userId: 'plain-3' })).content).toEqual({ banner: 'welcome' });
    expect((await content({ placement: 'home_hero', userId: 'plain-3', context: { device: { type: 'ios' } } })).content).toEqual({ banner: 'app' });
    const stranger = await (await decide({ placement: 'home_hero', anonymousId: 'never-seen' })).json();
    expect(stranger).toEqual({ known: false, decisions: [{ placement: 'home_hero', rule: null, variant: null, content: { banner: 'welcome' } }] });
  });

  it('assigns an A/B variant stably per person and records the exposure as an event', async () => {
    const res = await server.admin('/v1/placements', {
      method: 'POST',
      body: JSON.stringify({ name: 'checkout_offer', rules: [{ name: 'test', conditions: [], variants: [{ name: 'free-shipping', weight: 50, content: 'ship' }, { name: 'ten-off', weight: 50, content: '10%' }] }] }),
    });
    expect(res.status).toBe(201);
    const seen = new Map<string, string | null>();
    for (let i = 0; i < 40; i++) seen.set(`ab-${i}`, (await content({ placement: 'checkout_offer', anonymousId: `ab-${i}` })).variant);
    for (let i = 0; i < 40; i += 7) expect((await content({ placement: 'checkout_offer', anonymousId: `ab-${i}` })).variant).toBe(seen.get(`ab-${i}`));
    expect(new Set(seen.values())).toEqual(new Set(['free-shipping', 'ten-off']));
    await eventually(async () => {
      const events = (await (await server.admin(`/v1/events?anonymousId=ab-0`)).json()) as { data: { message: { event?: string; properties?: Record<string, unknown> } }[] };
      const exposures = events.data.filter((e) => e.message.event === 'Placement Exposed');
      expect(exposures[0]?.message.properties).toEqual({ placement: 'checkout_offer', rule: 'test', variant: seen.get('ab-0') });
    });
  });

  it('refuses bad keys, unknown placements and inconsistent rules with clear errors', async () => {
    const noKey = await fetch(`${server.url}/v1/decide`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ placement: 'home_hero', userId: 'x' }) });
    expect(((await noKey.json()) as { error: { code: string } }).error.code).toBe('missing_write_key');
    const badKey = await decide({ placement: 'home_hero', userId: 'x' }, { authorization: basic('nope') });
    expect(badKey.status).toBe(401);
    const unknown = await decide({ placement: 'nowhere', userId: 'x' });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: 'placement_not_found', details: { placement: 'nowhere' } } });
    expect((await decide({ placement: 'home_hero' })).status).toBe(400);
    const weights = await server.admin('/v1/placements', {
      method: 'POST',
      body: JSON.stringify({ name: 'bad', rules: [{ name: 'split', conditions: [], variants: [{ name: 'a', weight: 50, content: 1 }, { name: 'b', weight: 20, content: 2 }] }] }),
    });
    expect(weights.status).toBe(422);
    expect(await weights.json()).toMatchObject({ error: { code: 'invalid_placement', details: { problems: [{ rule: 'split' }] } } });
    const seg = await server.admin('/v1/placements', { method: 'POST', body: JSON.stringify({ name: 'bad2', rules: [{ name: 'r', conditions: [{ type: 'segment', segmentId: 'seg_missing' }], content: 1 }] }) });
    expect(seg.status).toBe(422);
    expect(await seg.json()).toMatchObject({ error: { code: 'unknown_segment', details: { rule: 'r' } } });
    const dup = await server.admin('/v1/placements', { method: 'POST', body: JSON.stringify({ name: 'home_hero', rules: [] }) });
    expect(dup.status).toBe(409);
  });

  it('answers browsers of the allowed origins (CORS like the tracking API) and lists, edits and deletes placements', async () => {
    const pre = await fetch(`${server.url}/v1/decide`, { method: 'OPTIONS', headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    const ok = await decide({ placement: 'home_hero', userId: 'plain-3' }, { origin: 'https://shop.example' });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    const other = await decide({ placement: 'home_hero', userId: 'plain-3' }, { origin: 'https://evil.example' });
    expect(other.status).toBe(403);

    const list = (await (await server.admin('/v1/placements?limit=1')).json()) as { data: { id: string; name: string }[]; next: string | null };
    expect(list.data).toHaveLength(1);
    expect(list.next).not.toBeNull();
    const hero = ((await (await server.admin('/v1/placements')).json()) as { data: { id: string; name: string }[] }).data.find((p) => p.name === 'home_hero')!;
    const patched = await server.admin(`/v1/placements/${hero.id}`, { method: 'PATCH', body: JSON.stringify({ default: { banner: 'hello again' } }) });
    expect(patched.status).toBe(200);
    expect((await content({ placement: 'home_hero', userId: 'plain-3' })).content).toEqual({ banner: 'hello again' });
    expect((await server.admin(`/v1/placements/${hero.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await decide({ placement: 'home_hero', userId: 'plain-3' })).status).toBe(404);
  });
});
