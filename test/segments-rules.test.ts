// Rule features through the public API with a controllable clock, and the segment API around them:
// validation, preview, members and CSV export, tags, RFM, segment references, merges.
import { describe, expect, test } from 'vitest';
import { storesUnderTest } from './helpers/stores.js';
import { useSegmentsServer } from './helpers/segments.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const rule = (root: unknown) => ({ version: 1, root });

describe.each(storesUnderTest())('segment rules (%s)', (store) => {
  const t = useSegmentsServer(store);

  test('trait conditions: enter and leave as identify changes traits', async () => {
    const seg = await t.h.createSegment(
      rule({ type: 'and', conditions: [{ type: 'trait', path: 'city', op: 'equals', value: 'Taipei' }, { type: 'trait', path: 'age', op: 'gte', value: 18 }] }),
    );
    await t.h.identify('u1', { city: 'Taipei', age: 20 });
    await t.h.identify('u2', { city: 'Taipei', age: 16 });
    const p1 = await t.h.profileOf('u1');
    expect(await t.h.memberIds(seg.id)).toEqual([p1]);
    await t.h.identify('u1', { city: 'Tokyo' });
    expect(await t.h.memberIds(seg.id)).toEqual([]);
  });

  test('event count with a property filter in a window: 3+ shoe views in the last 7 days', async () => {
    const seg = await t.h.createSegment(
      rule({ type: 'event', event: 'Product Viewed', where: [{ property: 'category', op: 'equals', value: 'shoes' }], count: { op: 'at_least', value: 3 }, window: { last: { amount: 7, unit: 'days' } } }),
    );
    await t.h.trackAs('u1', 'Product Viewed', { category: 'shoes' });
    await t.h.advance(DAY);
    await t.h.trackAs('u1', 'Product Viewed', { category: 'shoes' });
    await t.h.trackAs('u1', 'Product Viewed', { category: 'hats' });
    expect(await t.h.memberIds(seg.id)).toEqual([]);
    await t.h.trackAs('u1', 'Product Viewed', { category: 'shoes' });
    const p1 = await t.h.profileOf('u1');
    expect(await t.h.memberIds(seg.id)).toEqual([p1]);
    await t.h.advance(6 * DAY - 1);
    expect(await t.h.memberIds(seg.id)).toEqual([p1]);
    await t.h.advance(1); // the first view leaves the window
    expect(await t.h.memberIds(seg.id)).toEqual([]);
  });

  test('did not perform: leave on the event, come back when it leaves the window', async () => {
    const seg = await t.h.createSegment(rule({ type: 'event', event: 'Order Completed', did: false, window: { last: { amount: 1, unit: 'days' } } }));
    await t.h.identify('u1', { name: 'A' });
    const p1 = await t.h.profileOf('u1');
    expect(await t.h.memberIds(seg.id)).toEqual([p1]);
    await t.h.trackAs('u1', 'Order Completed');
    expect(await t.h.memberIds(seg.id)).toEqual([]);
    await t.h.advance(DAY);
    expect(await t.h.memberIds(seg.id)).toEqual([p1]);
  });

  test('sequence: signed up then ordered within a day', async () => {
    const seg = await t.h.createSegment(
      rule({ type: 'sequence', first: { event: 'Signed Up' }, then: { event: 'Order Completed' }, within: { amount: 1, unit: 'days' }, mode: 'followed' }),
    );
    await t.h.trackAs('u1', 'Signed Up');
    await t.h.trackAs('u2', 'Signed Up');
    await t.h.advance(HOUR);
    await t.h.trackAs('u2', 'Order Completed');
    await t.h.advance(2 * DAY);
    await t.h.trackAs('u1', 'Order Completed');
    expect(await t.h.memberIds(seg.id)).toEqual([await t.h.profileOf('u2')]);
  });

  test('first occurrence: first order less than a day ago', async () => {
    const seg = await t.h.createSegment(rule({ type: 'occurrence', which: 'first', event: 'Order Completed', op: 'less_than_ago', duration: { amount: 1, unit: 'days' } }));
    await t.h.trackAs('u1', 'Order Completed');
    const p1 = await t.h.profileOf('u1');
    expect(await t.h.memberIds(seg.id)).toEqual([p1]);
    await t.h.advance(DAY);
    expect(await t.h.memberIds(seg.id)).toEqual([]);
    await t.h.trackAs('u1', 'Order Completed');
    expect(await t.h.memberIds(seg.id)).toEqual([]);
  });

  test('aggregate: average order value of at least 100 over the last 30 days', async () => {
    const seg = await t.h.createSegment(
      rule({ type: 'event', event: 'Order Completed', window: { last: { amount: 30, unit: 'days' } }, aggregate: { fn: 'avg', property: 'total', op: 'gte', value: 100 } }),
    );
    await t.h.trackAs('u1', 'Order Completed', { total: 50 });
    expect(await t.h.memberIds(seg.id)).toEqual([]);
    await t.h.advance(DAY);
    await t.h.trackAs('u1', 'Order Completed', { total: 200 });
    const p1 = await t.h.profileOf('u1');
    expect(await t.h.memberIds(seg.id)).toEqual([p1]);
    await t.h.advance(29 * DAY); // the 50 leaves the window: avg 200
    expect(await t.h.memberIds(seg.id)).toEqual([p1]);
    await t.h.advance(DAY); // nothing left: no average
    expect(await t.h.memberIds(seg.id)).toEqual([]);
  });

  test('segment references and manual tags; cycles and deleting a used segment are refused', async () => {
    const buyers = await t.h.createSegment(rule({ type: 'event', event: 'Order Completed' }), { name: 'buyers' });
    const vipBuyers = await t.h.createSegment(rule({ type: 'and', conditions: [{ type: 'segment', segmentId: buyers.id }, { type: 'tag', tag: 'vip' }] }));
    await t.h.trackAs('u1', 'Order Completed');
    const p1 = await t.h.profileOf('u1');
    expect(await t.h.memberIds(buyers.id)).toEqual([p1]);
    expect(await t.h.memberIds(vipBuyers.id)).toEqual([]);
    const tagged = await t.h.api('/v1/tags/vip/profiles', { method: 'POST', body: JSON.stringify({ profileIds: [p1, 'prof_nobody'] }) });
    expect(tagged.body).toEqual({ tagged: 1, unknown: ['prof_nobody'] });
    expect(await t.h.memberIds(vipBuyers.id)).toEqual([p1]);
    expect((await t.h.api(`/v1/segment-memberships/${p1}`)).body.data.map((m: { segmentId: string }) => m.segmentId).sort()).toEqual([buyers.id, vipBuyers.id].sort());
    expect((await t.h.api(`/v1/tags/vip/profiles/${p1}`, { method: 'DELETE' })).status).toBe(204);
    expect(await t.h.memberIds(vipBuyers.id)).toEqual([]);

    const cycle = await t.h.api(`/v1/segments/${buyers.id}`, { method: 'PATCH', body: JSON.stringify({ rule: rule({ type: 'segment', segmentId: vipBuyers.id }) }) });
    expect(cycle.status).toBe(422);
    expect(cycle.body.error.code).toBe('segment_cycle');
    const inUse = await t.h.api(`/v1/segments/${buyers.id}`, { method: 'DELETE' });
    expect(inUse.status).toBe(409);
    expect((await t.h.api(`/v1/segments/${vipBuyers.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await t.h.api(`/v1/segments/${buyers.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await t.h.changes(buyers.id)).map((c) => c.kind)).toEqual(['entered', 'exited']);
  });

  test('rule-based tags: members of a segment flagged as a tag carry it in other rules', async () => {
    const big = await t.h.createSegment(rule({ type: 'event', event: 'Order Completed', aggregate: { fn: 'sum', property: 'total', op: 'gte', value: 500 } }), { tag: 'big-spender' });
    const bigInTaipei = await t.h.createSegment(rule({ type: 'and', conditions: [{ type: 'tag', tag: 'big-spender' }, { type: 'trait', path: 'city', op: 'equals', value: 'Taipei' }] }));
    await t.h.identify('u1', { city: 'Taipei' });
    await t.h.trackAs('u1', 'Order Completed', { total: 600 });
    const p1 = await t.h.profileOf('u1');
    expect(await t.h.memberIds(big.id)).toEqual([p1]);
    expect(await t.h.memberIds(bigInTaipei.id)).toEqual([p1]);
    const tags = await t.h.api('/v1/tags');
    expect(tags.body.data).toEqual([{ tag: 'big-spender', manualProfiles: 0, segmentIds: [big.id] }]);
    const taken = await t.h.api('/v1/segments', { method: 'POST', body: JSON.stringify({ name: 'x', rule: rule({ type: 'trait', path: 'a', op: 'exists' }), tag: 'big-spender' }) });
    expect(taken.status).toBe(409);
  });

  test('bulk tagging from a CSV of identifiers resolves through the identity graph', async () => {
    const seg = await t.h.createSegment(rule({ type: 'tag', tag: 'vip' }));
    await t.h.identify('u1', { email: 'Ann@Example.com' });
    await t.h.identify('u2', { name: 'B' });
    const res = await t.server.admin('/v1/tags/vip/import', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: 'email\nann@example.com\nnobody@example.com\n' });
    expect(await res.json()).toEqual({ rows: 2, tagged: 1, unresolved: 1, unresolvedSample: ['nobody@example.com'] });
    const byUser = await t.server.admin('/v1/tags/vip/import', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: 'user_id\nu2\n' });
    expect((await byUser.json()).tagged).toBe(1);
    expect(await t.h.memberIds(seg.id)).toEqual([await t.h.profileOf('u1'), await t.h.profileOf('u2')].sort());
    const bad = await t.server.admin('/v1/tags/vip/import', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: 'colour\nred\n' });
    expect(bad.status).toBe(400);
  });

  test('RFM: quintile scores, named segments and rules over them', async () => {
    // u1 best on every axis; u5 worst.
    for (let i = 5; i >= 1; i--) {
      for (let n = 0; n < 6 - i; n++) await t.h.trackAs(`u${i}`, 'Order Completed', { total: (6 - i) * 100 });
      await t.h.advance(DAY);
    }
    const champions = await t.h.createSegment(rule({ type: 'rfm_segment', in: ['Champions'] }));
    const recent = await t.h.createSegment(rule({ type: 'rfm', score: 'rfm_r', op: 'gte', value: 4 }));
    const run = await t.h.api('/v1/rfm/recompute', { method: 'POST' });
    expect(run.body).toMatchObject({ profiles: 5, segmentsRecomputed: 2 });
    const p1 = await t.h.profileOf('u1');
    expect((await t.h.api(`/v1/rfm/scores/${p1}`)).body).toMatchObject({ rfm_r: 5, rfm_f: 5, rfm_m: 5, rfm_segment: 'Champions', frequency: 5, monetary: 2500 });
    expect((await t.h.api(`/v1/rfm/scores/${await t.h.profileOf('u5')}`)).body).toMatchObject({ rfm_r: 1, rfm_f: 1, rfm_m: 1, rfm_segment: 'Lost' });
    // Five purchasers: one per quintile, so u1 and u2 score at least 4 everywhere.
    expect(await t.h.memberIds(champions.id)).toEqual([p1, await t.h.profileOf('u2')].sort());
    expect(await t.h.memberIds(recent.id)).toEqual([p1, await t.h.profileOf('u2')].sort());
    const settings = await t.h.api('/v1/rfm/settings', { method: 'PUT', body: JSON.stringify({ event: 'Purchase', valueProperties: ['revenue'] }) });
    expect(settings.body).toMatchObject({ event: 'Purchase', valueProperties: ['revenue'] });
  });

  test('preview counts and samples before saving; invalid rules are 422', async () => {
    await t.h.identify('u1', { plan: 'pro' });
    await t.h.identify('u2', { plan: 'free' });
    const preview = await t.h.api('/v1/segments/preview', { method: 'POST', body: JSON.stringify({ rule: rule({ type: 'trait', path: 'plan', op: 'in', value: ['pro', 'team'] }) }) });
    expect(preview.body).toMatchObject({ count: 1, sample: [{ profileId: await t.h.profileOf('u1'), traits: { plan: 'pro' } }] });
    expect((await t.h.api('/v1/segments')).body.data).toEqual([]);
    const invalid = await t.h.api('/v1/segments/preview', { method: 'POST', body: JSON.stringify({ rule: rule({ type: 'trait', path: 'plan', op: 'bigger', value: 1 }) }) });
    expect(invalid.status).toBe(422);
    expect(invalid.body.error.code).toBe('invalid_rule');
    const badWindow = await t.h.api('/v1/segments', {
      method: 'POST',
      body: JSON.stringify({ name: 'w', rule: rule({ type: 'event', event: 'X', window: { from: { amount: 1, unit: 'days' }, to: { amount: 2, unit: 'days' } } }) }),
    });
    expect(badWindow.status).toBe(422);
    const unknownRef = await t.h.api('/v1/segments', { method: 'POST', body: JSON.stringify({ name: 'r', rule: rule({ type: 'segment', segmentId: 'seg_missing' }) }) });
    expect(unknownRef.body.error.code).toBe('unknown_segment');
  });

  test('members are paged and exported as CSV; history records enter and exit with their trigger', async () => {
    const seg = await t.h.createSegment(rule({ type: 'trait', path: 'plan', op: 'equals', value: 'pro' }));
    for (const u of ['u1', 'u2', 'u3']) await t.h.identify(u, { plan: 'pro' });
    const ids = await t.h.memberIds(seg.id);
    const page1 = await t.h.api(`/v1/segments/${seg.id}/members?limit=2`);
    expect(page1.body.data.map((m: { profileId: string }) => m.profileId)).toEqual(ids.slice(0, 2));
    const page2 = await t.h.api(`/v1/segments/${seg.id}/members?limit=2&cursor=${page1.body.next}`);
    expect(page2.body).toMatchObject({ data: [{ profileId: ids[2] }], next: null });
    const csv = await t.server.admin(`/v1/segments/${seg.id}/members.csv`);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect((await csv.text()).trim().split('\n')).toEqual(['profile_id,entered_at', ...ids.map((id) => `${id},${new Date(t.clock.now()).toISOString()}`)]);
    expect((await t.server.admin('/v1/segments/seg_nope/members.csv')).status).toBe(404);
    await t.h.advance(MIN);
    await t.h.identify('u1', { plan: 'free' });
    const history = await t.h.api(`/v1/segments/${seg.id}/history?profileId=${await t.h.profileOf('u1')}`);
    expect(history.body.data.map((c: { kind: string }) => c.kind)).toEqual(['exited', 'entered']);
    expect(history.body.data.every((c: { triggerSeq: number | null }) => c.triggerSeq !== null)).toBe(true);
  });

  test('a merge exits the merged-away profile and re-evaluates the survivor', async () => {
    const seg = await t.h.createSegment(rule({ type: 'event', event: 'Order Completed' }));
    await t.h.send('/v1/track', { anonymousId: 'anon-1', event: 'Order Completed' });
    await t.h.send('/v1/track', { userId: 'u9', anonymousId: 'anon-2', event: 'Page Seen' });
    expect((await t.h.memberIds(seg.id)).length).toBe(1);
    const before = await t.h.memberIds(seg.id);
    await t.h.send('/v1/identify', { userId: 'u9', anonymousId: 'anon-1', traits: {} });
    const survivor = await t.h.profileOf('u9');
    expect(await t.h.memberIds(seg.id)).toEqual([survivor]);
    const changes = await t.h.changes(seg.id);
    if (before[0] !== survivor) expect(changes.filter((c) => c.profileId === before[0]).map((c) => c.kind)).toEqual(['entered', 'exited']);
    expect(changes.filter((c) => c.profileId === survivor).map((c) => c.kind)).toEqual(['entered']);
  });
});
