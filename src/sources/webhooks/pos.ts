// Meridian's generic POS format (documented in docs/sources-connectors.md): pos.transaction → Order
// Completed with channel "pos", pos.refund → Order Refunded. Signed like our other formats:
// X-Meridian-Signature = "sha256=" + base64 HMAC-SHA256 of the raw body with the source's secret.
// A member is keyed "member:<id>", the same key the loyalty format uses, so tills and the loyalty
// system land on one person; anonymous sales are keyed by store and transaction.
import { PayloadReader, isObj, trackMessage, type Obj } from './payload.js';
import { memberIdentity, verifyMeridianSignature } from './meridian-format.js';
import type { VendorTransform } from './vendor.js';

const r = new PayloadReader('pos');

export const pos: VendorTransform = {
  vendor: 'pos',
  verify: verifyMeridianSignature,
  toMessages(payload) {
    const body = r.obj(payload, 'body');
    if (body.type !== 'pos.transaction' && body.type !== 'pos.refund') r.fail('type', 'must be "pos.transaction" or "pos.refund"');
    const refund = body.type === 'pos.refund';
    const txn = r.id(body.transaction_id, 'transaction_id');
    const storeId = r.id(body.store_id, 'store_id');
    const member = memberIdentity(r, body.member);
    const totals = r.obj(body.totals, 'totals');
    const subtotal = r.optNum(totals.subtotal, 'totals.subtotal');
    const discount = r.optNum(totals.discount, 'totals.discount');
    const payments = Array.isArray(body.payments) ? body.payments.filter(isObj) : [];
    const items = r.arr(body.items, 'items');
    if (items.length === 0) r.fail('items', 'must list at least one item');
    return [
      trackMessage({
        vendor: 'pos',
        event: refund ? 'Order Refunded' : 'Order Completed',
        messageId: `pos:${storeId}:${txn}`,
        userId: member.userId,
        anonymousId: member.anonymousId ?? `pos:${storeId}:${txn}`,
        timestamp: r.optTime(body.occurred_at, 'occurred_at') ?? r.fail('occurred_at', 'is required'),
        properties: {
          order_id: refund ? r.id(body.original_transaction_id, 'original_transaction_id') : txn,
          refund_id: refund ? txn : undefined,
          channel: 'pos',
          store_id: storeId,
          terminal_id: r.optId(body.terminal_id),
          cashier_id: r.optId(body.cashier_id),
          member_id: member.memberId,
          total: r.num(totals.total, 'totals.total'),
          subtotal,
          revenue: refund || subtotal === undefined ? undefined : subtotal - (discount ?? 0),
          discount,
          tax: r.optNum(totals.tax, 'totals.tax'),
          coupon: r.optStr(body.coupon),
          currency: r.optStr(body.currency) ?? r.fail('currency', 'is required (ISO 4217 code)'),
          payment_method: payments.length > 0 ? r.optStr(payments[0].method) : undefined,
          reason: r.optStr(body.reason),
          products: items.map((raw, i) => item(r.obj(raw, `items[${i}]`), `items[${i}]`)),
        },
        traits: member.traits,
      }),
    ];
  },
};

function item(it: Obj, field: string) {
  return {
    sku: r.id(it.sku, `${field}.sku`),
    product_id: r.optId(it.product_id) ?? r.id(it.sku, `${field}.sku`),
    name: r.optStr(it.name),
    category: r.optStr(it.category),
    quantity: r.num(it.quantity, `${field}.quantity`),
    price: r.num(it.unit_price, `${field}.unit_price`),
    discount: r.optNum(it.discount, `${field}.discount`),
  };
}
