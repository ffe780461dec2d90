// Built-in templates through the public API with a controllable clock: enter, stay, and exit on new
// events and on the passing of time.
import { describe, expect, test } from 'vitest';
import { storesUnderTest } from './helpers/stores.js';
import { useSegmentsServer } from './helpers/segments.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

describe.each(storesUnderTest())('segment templates (%s)', (store) => {
  const t = useSegmentsServer(store);

  const fromTemplate = async (name: string) => {
    const res = await t.h.api(`/v1/segments/from-template/${name}`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(201);
    expect(res.body.template).toBe(name);
    return res.body.id as string;
  };

  test('lists every built-in template and rejects unknown ones', async () => {
    const res = await t.h.api('/v1/segment-templates');
    expect(res.body.data.map((t: { name: string }) => t.name)).toEqual([
      'recent-buyers',
      'first-time-buyers',
      'cart-abandoners',
      'browse-abandoners',
      'lapsed-customers',
      'high-ltv',
    ]);
    const missing = await t.h.api('/v1/segments/from-template/nope', { method: 'POST', body: '{}' });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('template_not_found');
  });

  test('recent buyers: enter on an order, stay for 30 days, leave when it ages out, re-enter on the next', async () => {
    const id = await fromTemplate('recent-buyers');
    await t.h.trackAs('u1', 'Order Completed', { total: 10 });
    const p1 = await t.h.profileOf('u1');
    expect(await t.h.memberIds(id)).toEqual([p1]);
    await t.h.advance(30 * DAY - 1);
    expect(await t.h.memberIds(id)).toEqual([p1]);
    await t.h.advance(1);
    expect(await t.h.memberIds(id)).toEqual([]);
    await t.h.trackAs('u1', 'Order Completed', { total: 10 });
    expect(await t.h.memberIds(id)).toEqual([p1]);
    const changes = await t.h.changes(id);
    expect(changes.map((c) => c.kind)).toEqual(['entered', 'exited', 'entered']);
    expect(changes[0].triggerSeq).toBeGreaterThan(0);
    expect(changes[1]).toMatchObject({ triggerSeq: null, at: changes[0].at + 30 * DAY });
  });

  test('first-time buyers: one order enters, a second order exits, an aging first order exits', async () => {
    const id = await fromTemplate('first-time-buyers');
    await t.h.trackAs('u1', 'Order Completed');
    await t.h.trackAs('u2', 'Order Completed');
    const [p1, p2] = [await t.h.profileOf('u1'), await t.h.profileOf('u2')];
    expect(await t.h.memberIds(id)).toEqual([p1, p2].sort());
    await t.h.advance(HOUR);
    await t.h.trackAs('u1', 'Order Completed');
    expect(await t.h.memberIds(id)).toEqual([p2]);
    await t.h.advance(30 * DAY);
    expect(await t.h.memberIds(id)).toEqual([]);
  });

  test('cart abandoners: enter an hour after an unbought cart add, leave on a later order or after 7 days', async () => {
    const id = await fromTemplate('cart-abandoners');
    await t.h.trackAs('u1', 'Product Added');
    await t.h.trackAs('u2', 'Product Added');
    await t.h.advance(30 * MIN);
    await t.h.trackAs('u2', 'Order Completed');
    expect(await t.h.memberIds(id)).toEqual([]);
    await t.h.advance(30 * MIN);
    const p1 = await t.h.profileOf('u1');
    expect(await t.h.memberIds(id)).toEqual([p1]);
    await t.h.advance(2 * HOUR);
    await t.h.trackAs('u1', 'Order Completed');
    expect(await t.h.memberIds(id)).toEqual([]);

    await t.h.trackAs('u3', 'Product Added');
    await t.h.advance(HOUR);
    const p3 = await t.h.profileOf('u3');
    expect(await t.h.memberIds(id)).toEqual([p3]);
    await t.h.advance(7 * DAY - HOUR);
    expect(await t.h.memberIds(id)).toEqual([]);
  });

  test('browse abandoners: enter an hour after a view with no cart add, leave when they add to cart', async () => {
    const id = await fromTemplate('browse-abandoners');
    await t.h.trackAs('u1', 'Product Viewed', { product_id: 'p-1' });
    await t.h.advance(HOUR - 1);
    expect(await t.h.memberIds(id)).toEqual([]);
    await t.h.advance(1);
    const p1 = await t.h.profileOf('u1');
    expect(await t.h.memberIds(id)).toEqual([p1]);
    await t.h.trackAs('u1', 'Product Added', { product_id: 'p-1' });
    expect(await t.h.memberIds(id)).toEqual([]);
  });

  test('lapsed customers: enter 90 days after the last order, leave when they order again', async () => {
    const id = await fromTemplate('lapsed-customers');
    await t.h.trackAs('u1', 'Order Completed');
    await t.h.advance(89 * DAY);
    expect(await t.h.memberIds(id)).toEqual([]);
    await t.h.advance(DAY);
    const p1 = await t.h.profileOf('u1');
    expect(await t.h.memberIds(id)).toEqual([p1]);
    await t.h.trackAs('u1', 'Order Completed');
    expect(await t.h.memberIds(id)).toEqual([]);
  });

  test('high LTV: enter when order totals reach 1000', async () => {
    const id = await fromTemplate('high-ltv');
    await t.h.trackAs('u1', 'Order Completed', { total: 600 });
    expect(await t.h.memberIds(id)).toEqual([]);
    await t.h.trackAs('u1', 'Order Completed', { total: 400 });
    expect(await t.h.memberIds(id)).toEqual([await t.h.profileOf('u1')]);
  });
});
