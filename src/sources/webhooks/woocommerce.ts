// WooCommerce webhooks (topic order.created → Order Completed; order.updated to status "refunded" →
// Order Refunded). Signature: X-WC-Webhook-Signature = base64 HMAC-SHA256 of the raw body with the
// webhook's secret. On setup WooCommerce sends an unsigned form-encoded ping (`webhook_id=N`).
import { checkSignature, hmac, requireHeader, type VendorTransform } from './vendor.js';
import { PayloadReader, trackMessage, type Obj } from './payload.js';

const r = new PayloadReader('woocommerce');

export const woocommerce: VendorTransform = {
  vendor: 'woocommerce',
  isPing: (req) => /^webhook_id=\d+$/.test(req.body.toString('utf8').trim()),
  verify(req, secret) {
    checkSignature(requireHeader(req, 'X-WC-Webhook-Signature'), hmac('sha256', secret, req.body), 'WooCommerce');
  },
  toMessages(payload, req) {
    const topic = requireHeader(req, 'X-WC-Webhook-Topic', 'missing_header');
    const order = r.obj(payload, 'body');
    if (topic === 'order.created') return [orderMessage(order, 'Order Completed')];
    if (topic === 'order.updated' && order.status === 'refunded') return [orderMessage(order, 'Order Refunded')];
    return [];
  },
};

function orderMessage(o: Obj, event: 'Order Completed' | 'Order Refunded') {
  const orderId = r.id(o.id, 'id');
  const billing = o.billing === undefined ? {} : r.obj(o.billing, 'billing');
  // customer_id 0 is a guest checkout.
  const customerId = o.customer_id === 0 || o.customer_id === '0' ? undefined : r.optId(o.customer_id);
  const coupons = Array.isArray(o.coupon_lines) ? o.coupon_lines : [];
  const total = r.num(o.total, 'total');
  const tax = r.optNum(o.total_tax, 'total_tax');
  const shipping = r.optNum(o.shipping_total, 'shipping_total');
  const refunded = event === 'Order Refunded';
  return trackMessage({
    vendor: 'woocommerce',
    event,
    messageId: `woocommerce:order:${orderId}:${refunded ? 'refunded' : 'completed'}`,
    anonymousId: `woocommerce:order:${orderId}`,
    // *_gmt fields are UTC without a zone designator.
    timestamp: r.optTime(gmt(refunded ? o.date_modified_gmt : o.date_created_gmt), refunded ? 'date_modified_gmt' : 'date_created_gmt'),
    properties: {
      order_id: orderId,
      order_number: r.optStr(o.number),
      total,
      revenue: refunded ? undefined : total - (tax ?? 0) - (shipping ?? 0),
      tax,
      shipping,
      discount: r.optNum(o.discount_total, 'discount_total'),
      coupon: coupons.length > 0 ? r.optStr((coupons[0] as Obj).code) : undefined,
      currency: r.optStr(o.currency),
      channel: 'online',
      payment_method: r.optStr(o.payment_method),
      woocommerce_customer_id: customerId,
      products: r.arr(o.line_items ?? [], 'line_items').map((raw, i) => {
        const item = r.obj(raw, `line_items[${i}]`);
        return {
          product_id: r.optId(item.product_id),
          variant: item.variation_id === 0 ? undefined : r.optId(item.variation_id),
          sku: r.optStr(item.sku),
          name: r.optStr(item.name),
          price: r.optNum(item.price, `line_items[${i}].price`),
          quantity: r.optNum(item.quantity, `line_items[${i}].quantity`),
        };
      }),
    },
    traits: {
      email: r.optStr(billing.email),
      phone: r.optStr(billing.phone),
      first_name: r.optStr(billing.first_name),
      last_name: r.optStr(billing.last_name),
      woocommerce_customer_id: customerId,
    },
  });
}

const gmt = (v: unknown) => (typeof v === 'string' && /T\d{2}:\d{2}:\d{2}$/.test(v) ? `${v}Z` : v);
