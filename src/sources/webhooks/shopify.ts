// Shopify webhooks (orders/create, orders/paid → Order Completed; refunds/create → Order Refunded).
// Signature: X-Shopify-Hmac-Sha256 = base64 HMAC-SHA256 of the raw body with the app's client secret.
// Refund payloads carry no customer, so both events use the order as anonymousId and the order's
// customer (email, phone, Shopify customer id) joins it to the person.
import { checkSignature, hmac, requireHeader, type VendorTransform } from './vendor.js';
import { PayloadReader, trackMessage, type Obj } from './payload.js';

const r = new PayloadReader('shopify');
const ORDER_TOPICS = new Set(['orders/create', 'orders/paid']);

export const shopify: VendorTransform = {
  vendor: 'shopify',
  verify(req, secret) {
    checkSignature(requireHeader(req, 'X-Shopify-Hmac-Sha256'), hmac('sha256', secret, req.body), 'Shopify');
  },
  toMessages(payload, req) {
    const topic = requireHeader(req, 'X-Shopify-Topic', 'missing_header');
    const body = r.obj(payload, 'body');
    if (ORDER_TOPICS.has(topic)) return [orderCompleted(body)];
    if (topic === 'refunds/create') return [orderRefunded(body)];
    return [];
  },
};

function orderCompleted(o: Obj) {
  const orderId = r.id(o.id, 'id');
  const customer = o.customer === undefined || o.customer === null ? {} : r.obj(o.customer, 'customer');
  const currency = r.optStr(o.currency);
  const discountCodes = Array.isArray(o.discount_codes) ? o.discount_codes : [];
  return trackMessage({
    vendor: 'shopify',
    event: 'Order Completed',
    // One Order Completed per order, whichever topics deliver it and however often.
    messageId: `shopify:order:${orderId}:completed`,
    anonymousId: `shopify:order:${orderId}`,
    timestamp: r.optTime(o.processed_at ?? o.created_at, 'processed_at'),
    properties: {
      order_id: orderId,
      order_number: o.order_number,
      checkout_id: r.optId(o.checkout_id),
      total: r.num(o.total_price, 'total_price'),
      subtotal: r.optNum(o.subtotal_price, 'subtotal_price'),
      // Segment: revenue excludes shipping and tax; Shopify's subtotal is after discounts.
      revenue: r.optNum(o.subtotal_price, 'subtotal_price'),
      tax: r.optNum(o.total_tax, 'total_tax'),
      shipping: r.optNum((o.total_shipping_price_set as { shop_money?: { amount?: unknown } } | undefined)?.shop_money?.amount, 'total_shipping_price_set'),
      discount: r.optNum(o.total_discounts, 'total_discounts'),
      coupon: discountCodes.length > 0 ? r.optStr((discountCodes[0] as Obj).code) : undefined,
      currency,
      channel: 'online',
      source_name: r.optStr(o.source_name),
      shopify_customer_id: r.optId(customer.id),
      products: r.arr(o.line_items ?? [], 'line_items').map((item, i) => product(r.obj(item, `line_items[${i}]`), `line_items[${i}]`)),
    },
    traits: {
      email: r.optStr(customer.email) ?? r.optStr(o.email) ?? r.optStr(o.contact_email),
      phone: r.optStr(customer.phone) ?? r.optStr(o.phone),
      first_name: r.optStr(customer.first_name),
      last_name: r.optStr(customer.last_name),
      shopify_customer_id: r.optId(customer.id),
    },
  });
}

function orderRefunded(refund: Obj) {
  const refundId = r.id(refund.id, 'id');
  const orderId = r.id(refund.order_id, 'order_id');
  const transactions = r.arr(refund.transactions ?? [], 'transactions').map((t, i) => r.obj(t, `transactions[${i}]`));
  const refunds = transactions.filter((t) => t.kind === 'refund' && t.status !== 'failure' && t.status !== 'error');
  const lines = r.arr(refund.refund_line_items ?? [], 'refund_line_items').map((l, i) => r.obj(l, `refund_line_items[${i}]`));
  return trackMessage({
    vendor: 'shopify',
    event: 'Order Refunded',
    messageId: `shopify:refund:${refundId}`,
    anonymousId: `shopify:order:${orderId}`,
    timestamp: r.optTime(refund.processed_at ?? refund.created_at, 'processed_at'),
    properties: {
      order_id: orderId,
      refund_id: refundId,
      total: refunds.reduce((sum, t, i) => sum + r.num(t.amount, `transactions[${i}].amount`), 0),
      currency: refunds.length > 0 ? r.optStr(refunds[0].currency) : undefined,
      reason: r.optStr(refund.note),
      products: lines.map((l, i) => ({
        ...product(r.obj(l.line_item ?? {}, `refund_line_items[${i}].line_item`), `refund_line_items[${i}].line_item`),
        quantity: r.optNum(l.quantity, `refund_line_items[${i}].quantity`),
      })),
    },
    traits: {},
  });
}

function product(item: Obj, field: string) {
  return {
    product_id: r.optId(item.product_id),
    variant: r.optStr(item.variant_title),
    sku: r.optStr(item.sku),
    name: r.optStr(item.title) ?? r.optStr(item.name),
    brand: r.optStr(item.vendor),
    price: r.optNum(item.price, `${field}.price`),
    quantity: r.optNum(item.quantity, `${field}.quantity`),
  };
}
