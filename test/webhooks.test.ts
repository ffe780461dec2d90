// Webhook sources through the public API: each built-in vendor transformation with a fixture of the
// vendor's real payload format, signature checks, dedupe of redeliveries and refused payloads.
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/shared/clock.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storesUnderTest } from './helpers/stores.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/webhooks/${name}`, import.meta.url));
const b64 = (alg: string, key: string, data: Buffer | string) => createHmac(alg, key).update(data).digest('base64');

/** How each vendor signs a delivery (from the vendors' documentation). */
const sign: Record<string, (secret: string, body: Buffer, now: number) => Record<string, string>> = {
  shopify: (s, b) => ({ 'x-shopify-hmac-sha256': b64('sha256', s, b) }),
  woocommerce: (s, b) => ({ 'x-wc-webhook-signature': b64('sha256', s, b) }),
  typeform: (s, b) => ({ 'typeform-signature': `sha256=${b64('sha256', s, b)}` }),
  surveymonkey: (s, b) => ({ 'sm-apikey': 'app-client-id', 'sm-signature': b64('sha1', `app-client-id&${s}`, b) }),
  zendesk: (s, b, now) => {
    const ts = new Date(now).toISOString().replace(/\.\d+Z$/, 'Z');
    return { 'x-zendesk-webhook-signature-timestamp': ts, 'x-zendesk-webhook-signature': b64('sha256', s, Buffer.concat([Buffer.from(ts), b])) };
  },
  pos: (s, b) => ({ 'x-meridian-signature': `sha256=${b64('sha256', s, b)}` }),
  loyalty: (s, b) => ({ 'x-meridian-signature': `sha256=${b64('sha256', s, b)}` }),
};

describe.each(storesUnderTest())('webhook sources on %s', (store) => {
  let server: TestServer;
  const clock = new ManualClock(Date.parse('2026-03-01T12:00:00Z'));
  const secret = 'shpss_0123456789abcdef';
  const sourceOf: Record<string, string> = {};

  beforeAll(async () => {
    server = await startTestServer({ store, clock });
    for (const vendor of Object.keys(sign)) {
      const { id } = await server.createSource(`${vendor} webhooks`, { type: 'webhook' });
      const res = await server.admin(`/v1/sources/${id}/webhook`, { method: 'PUT', body: JSON.stringify({ vendor, secret }) });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ sourceId: id, vendor, url: `/v1/webhooks/${id}` });
      sourceOf[vendor] = id;
    }
  });
  afterAll(() => server?.close());

  const deliver = (vendor: string, body: Buffer, headers: Record<string, string> = {}, key = secret) =>
    fetch(`${server.url}/v1/webhooks/${sourceOf[vendor]}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...sign[vendor](key, body, clock.now()), ...headers },
      body: new Uint8Array(body),
    });
  const eventsOf = async (vendor: string) => (await server.meridian.log.readAfter(0, 100, sourceOf[vendor])).map((e) => e.payload as any);

  it('maps a Shopify orders/create delivery to Order Completed with products, revenue and the customer identities', async () => {
    const res = await deliver('shopify', fixture('shopify-orders-create.json'), { 'x-shopify-topic': 'orders/create', 'x-shopify-webhook-id': 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ success: true, accepted: 1, duplicates: 0, rejected: 0, ignored: false });
    const [order] = await eventsOf('shopify');
    expect(order).toMatchObject({
      type: 'track',
      event: 'Order Completed',
      messageId: 'shopify:order:5912345678901:completed',
      anonymousId: 'shopify:order:5912345678901',
      timestamp: '2026-01-10T21:15:47.000Z',
      properties: {
        order_id: '5912345678901',
        total: 403,
        revenue: 388,
        subtotal: 388,
        shipping: 15,
        tax: 0,
        discount: 10,
        coupon: 'WELCOME10',
        currency: 'USD',
        products: [
          { product_id: '632910392', sku: 'IPOD2008PINK', name: 'IPod Nano - 8GB', variant: 'Pink', brand: 'Apple', price: 199, quantity: 1 },
          { product_id: '632910392', sku: 'IPOD2008BLACK', variant: 'Black', price: 199, quantity: 1 },
        ],
      },
      context: { traits: { email: 'jon@example.com', phone: '+13125551212', first_name: 'John', shopify_customer_id: '7012345678901' } },
    });
  });

  it('acknowledges a redelivery of the same webhook without storing it twice', async () => {
    const res = await deliver('shopify', fixture('shopify-orders-create.json'), { 'x-shopify-topic': 'orders/create' });
    expect(await res.json()).toMatchObject({ accepted: 0, duplicates: 1 });
    expect((await eventsOf('shopify')).filter((e) => e.event === 'Order Completed')).toHaveLength(1);
  });

  it('maps a Shopify refunds/create delivery to Order Refunded on the same order identity', async () => {
    const res = await deliver('shopify', fixture('shopify-refunds-create.json'), { 'x-shopify-topic': 'refunds/create' });
    expect(res.status).toBe(200);
    const refund = (await eventsOf('shopify')).find((e) => e.event === 'Order Refunded');
    expect(refund).toMatchObject({
      anonymousId: 'shopify:order:5912345678901',
      messageId: 'shopify:refund:912345678901',
      properties: { order_id: '5912345678901', refund_id: '912345678901', total: 199, currency: 'USD', reason: 'Things were damaged', products: [{ sku: 'IPOD2008PINK', quantity: 1 }] },
    });
  });

  it('acknowledges topics it does not map without storing anything', async () => {
    const res = await deliver('shopify', Buffer.from('{"id": 1}'), { 'x-shopify-topic': 'products/update' });
    expect(await res.json()).toMatchObject({ accepted: 0, ignored: true });
  });

  it('maps WooCommerce order.created and a refunded order.updated', async () => {
    expect((await deliver('woocommerce', fixture('woocommerce-order-created.json'), { 'x-wc-webhook-topic': 'order.created' })).status).toBe(200);
    expect((await deliver('woocommerce', fixture('woocommerce-order-refunded.json'), { 'x-wc-webhook-topic': 'order.updated' })).status).toBe(200);
    const [order, refund] = await eventsOf('woocommerce');
    expect(order).toMatchObject({
      event: 'Order Completed',
      anonymousId: 'woocommerce:order:727',
      timestamp: '2026-01-11T18:22:29.000Z',
      properties: { order_id: '727', total: 35.35, tax: 1.35, shipping: 10, revenue: 24, discount: 5, coupon: 'spring5', currency: 'EUR', products: [{ product_id: '93', sku: 'WOO-SINGLE-1', quantity: 2, price: 6 }, { variant: '23', sku: 'Bar3' }] },
      context: { traits: { email: 'john.doe@example.com', phone: '(555) 555-5555', woocommerce_customer_id: '26' } },
    });
    expect(order.properties.revenue).toBeCloseTo(24, 6);
    expect(refund).toMatchObject({ event: 'Order Refunded', anonymousId: 'woocommerce:order:727', properties: { order_id: '727', total: 35.35 } });
  });

  it("answers WooCommerce's unsigned set-up ping", async () => {
    const res = await fetch(`${server.url}/v1/webhooks/${sourceOf.woocommerce}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'webhook_id=15',
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ignored: true, accepted: 0 });
  });

  it('maps a Typeform form_response to Survey Answered with the NPS score and the respondent identities', async () => {
    expect((await deliver('typeform', fixture('typeform-form-response.json'))).status).toBe(200);
    const [answer] = await eventsOf('typeform');
    expect(answer).toMatchObject({
      event: 'Survey Answered',
      messageId: 'typeform:01HQZ3V0B7W2T9M4C8K6N1P5RA',
      userId: 'u-2041',
      anonymousId: 'typeform:response:a3a12ec67a1365927098a606107fac15',
      timestamp: '2026-01-15T10:00:02.000Z',
      properties: {
        survey_id: 'lT4Z3j',
        survey_title: 'Customer satisfaction survey',
        nps_score: 9,
        nps_category: 'promoter',
        answers: { nps_recommend: 9, reason: 'Fast delivery and friendly staff', contact_email: 'laura@example.com', channel: 'In store', subscribe: true },
      },
      context: { traits: { email: 'laura@example.com', member_id: 'M-8842' } },
    });
  });

  it('maps a SurveyMonkey response_completed to Survey Answered on the respondent', async () => {
    expect((await deliver('surveymonkey', fixture('surveymonkey-response-completed.json'))).status).toBe(200);
    const [answer] = await eventsOf('surveymonkey');
    expect(answer).toMatchObject({
      event: 'Survey Answered',
      messageId: 'surveymonkey:10053129284',
      anonymousId: 'surveymonkey:respondent:114463921522',
      timestamp: '2026-01-16T08:12:33.114Z',
      properties: { survey_id: '405873721', response_id: '114463921522', collector_id: '404513887', survey_vendor: 'surveymonkey' },
    });
  });

  it('maps Zendesk ticket events and a trigger webhook with the satisfaction rating', async () => {
    for (const name of ['zendesk-ticket-created.json', 'zendesk-ticket-solved.json', 'zendesk-trigger-ticket-solved.json'])
      expect((await deliver('zendesk', fixture(name))).status).toBe(200);
    const [created, solved, rated] = await eventsOf('zendesk');
    expect(created).toMatchObject({
      event: 'Ticket Created',
      messageId: 'zendesk:cbe4028c-7239-495d-b020-f22348516046',
      anonymousId: 'zendesk:user:8447388090494',
      properties: { ticket_id: '5158', subject: 'Damaged item', status: 'new', channel: 'web_service' },
      context: { traits: { zendesk_user_id: '8447388090494' } },
    });
    expect(solved).toMatchObject({ event: 'Ticket Solved', properties: { ticket_id: '5158', status: 'solved' } });
    expect(rated).toMatchObject({
      event: 'Ticket Solved',
      userId: 'u-2041',
      anonymousId: 'zendesk:user:8447388090494',
      timestamp: '2026-01-19T16:20:45.000Z',
      properties: { ticket_id: '5158', satisfaction_rating: 'good', satisfaction_score: 1, satisfaction_comment: 'Replaced within a day, thanks!' },
      context: { traits: { email: 'laura@example.com', phone: '+8613800138000' } },
    });
  });

  it('refuses a Zendesk delivery whose signature timestamp is stale', async () => {
    const body = fixture('zendesk-ticket-created.json');
    const old = clock.now() - 2 * 3600_000;
    const res = await fetch(`${server.url}/v1/webhooks/${sourceOf.zendesk}`, { method: 'POST', headers: { 'content-type': 'application/json', ...sign.zendesk(secret, body, old) }, body: new Uint8Array(body) });
    expect(res.status).toBe(401);
    expect((await res.json()).error.code).toBe('invalid_signature');
  });

  it('maps POS transactions to Order Completed with channel pos and the member, refunds to Order Refunded', async () => {
    expect((await deliver('pos', fixture('pos-transaction.json'))).status).toBe(200);
    expect((await deliver('pos', fixture('pos-refund.json'))).status).toBe(200);
    const [sale, refund] = await eventsOf('pos');
    expect(sale).toMatchObject({
      event: 'Order Completed',
      messageId: 'pos:SH-0012:T-20260120-0042',
      anonymousId: 'member:M-8842',
      timestamp: '2026-01-20T06:32:10.000Z',
      properties: {
        order_id: 'T-20260120-0042',
        channel: 'pos',
        store_id: 'SH-0012',
        terminal_id: 'POS-03',
        member_id: 'M-8842',
        total: 213.5,
        revenue: 213.5,
        currency: 'CNY',
        payment_method: 'wechat_pay',
        products: [{ sku: 'TEA-OOLONG-250', quantity: 2, price: 88, discount: 8 }, { sku: 'CUP-CERAMIC-01', quantity: 1, price: 45.5 }],
      },
      context: { traits: { member_id: 'M-8842', phone: '+8613800138000', email: 'laura@example.com' } },
    });
    expect(refund).toMatchObject({ event: 'Order Refunded', anonymousId: 'member:M-8842', properties: { order_id: 'T-20260120-0042', refund_id: 'R-20260122-0007', total: 45.5, channel: 'pos' } });
  });

  it('maps loyalty points earned, redeemed and tier changes onto the member', async () => {
    for (const name of ['loyalty-points-earned.json', 'loyalty-points-redeemed.json', 'loyalty-tier-changed.json'])
      expect((await deliver('loyalty', fixture(name))).status).toBe(200);
    const events = await eventsOf('loyalty');
    expect(events.map((e) => e.event)).toEqual(['Points Earned', 'Points Redeemed', 'Tier Changed']);
    expect(events[0]).toMatchObject({ userId: 'u-2041', anonymousId: 'member:M-8842', properties: { points: 213, balance: 1450, order_id: 'T-20260120-0042' }, context: { traits: { member_id: 'M-8842', loyalty_points: 1450 } } });
    expect(events[1]).toMatchObject({ anonymousId: 'member:M-8842', properties: { points: 500, balance: 950, reward: 'CNY 50 voucher' } });
    expect(events[2]).toMatchObject({ properties: { previous_tier: 'silver', tier: 'gold' }, context: { traits: { loyalty_tier: 'gold' } } });
  });

  it.each(Object.keys(sign))('rejects a %s delivery signed with another secret, or not signed, with 401 invalid_signature', async (vendor) => {
    const body = Buffer.from('{"type":"points.earned"}');
    const wrong = await deliver(vendor, body, {}, 'not-the-secret-at-all');
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).error.code).toBe('invalid_signature');
    const unsigned = await fetch(`${server.url}/v1/webhooks/${sourceOf[vendor]}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(unsigned.status).toBe(401);
    expect((await unsigned.json()).error.code).toBe('invalid_signature');
  });

  it('rejects a signed delivery whose body was altered after signing', async () => {
    const body = fixture('pos-transaction.json');
    const headers = sign.pos(secret, body, clock.now());
    const tampered = Buffer.from(body.toString('utf8').replace('213.5', '1.0'));
    const res = await fetch(`${server.url}/v1/webhooks/${sourceOf.pos}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: new Uint8Array(tampered) });
    expect(res.status).toBe(401);
  });

  it('refuses a signed payload it cannot map with 400 and keeps it in failed events', async () => {
    const sale = JSON.parse(fixture('pos-transaction.json').toString('utf8'));
    delete sale.totals;
    const res = await deliver('pos', Buffer.from(JSON.stringify(sale)));
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatchObject({ code: 'invalid_payload', message: 'pos payload: totals must be an object' });
    const failed = await (await server.admin(`/v1/failed-events?sourceId=${sourceOf.pos}`)).json();
    expect(failed.data[0]).toMatchObject({ stage: 'webhook', code: 'invalid_payload', payload: { transaction_id: 'T-20260120-0042' } });

    // Mapped, but larger than one event may be: refused by the log's limits, and kept as well.
    const huge = JSON.parse(fixture('pos-transaction.json').toString('utf8'));
    huge.transaction_id = 'T-huge';
    huge.items = Array.from({ length: 400 }, (_, i) => ({ sku: `SKU-${i}`, name: 'x'.repeat(80), quantity: 1, unit_price: 1 }));
    const tooLarge = await deliver('pos', Buffer.from(JSON.stringify(huge)));
    expect(tooLarge.status).toBe(400);
    const kept = await (await server.admin(`/v1/failed-events?sourceId=${sourceOf.pos}`)).json();
    // Same failure time (manual clock): find it by its payload, not its position.
    expect(kept.data.find((f: any) => f.payload?.transaction_id === 'T-huge')).toMatchObject({ stage: 'webhook', code: 'invalid_batch' });

    const notJson = await deliver('pos', Buffer.from('{"type": "pos.transaction",'));
    expect(notJson.status).toBe(400);
    expect((await notJson.json()).error.code).toBe('invalid_json');
  });

  it('answers 404 for a source without a webhook set-up, and generates a secret when none is given', async () => {
    const { id } = await server.createSource('plain');
    const res = await fetch(`${server.url}/v1/webhooks/${id}`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(404);
    expect((await res.json()).error.code).toBe('webhook_not_configured');

    const put = await server.admin(`/v1/sources/${id}/webhook`, { method: 'PUT', body: JSON.stringify({ vendor: 'loyalty' }) });
    const created = await put.json();
    expect(created.secret).toMatch(/^whsec_/);
    const body = fixture('loyalty-tier-changed.json');
    const ok = await fetch(`${server.url}/v1/webhooks/${id}`, { method: 'POST', headers: { 'content-type': 'application/json', ...sign.loyalty(created.secret, body, 0) }, body: new Uint8Array(body) });
    expect(ok.status).toBe(200);
    // The secret is shown once; reading the set-up never returns it.
    expect(await (await server.admin(`/v1/sources/${id}/webhook`)).json()).not.toHaveProperty('secret');
  });

  it('stores the signing secret encrypted, not in clear', async () => {
    const rows = await server.meridian.storage.db.selectFrom('source_connectors' as any).select(['secret' as any]).execute();
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows as { secret: string }[]) expect(r.secret).not.toContain(secret);
  });
});
