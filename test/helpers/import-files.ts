// Deterministic large import files for memory, resume and benchmark runs (seeded, no randomness).
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

export const ORDER_MAPPING = {
  event: 'Order Completed',
  fields: {
    order_id: 'properties.order_id',
    customer: 'userId',
    email: 'email',
    ordered_at: 'timestamp',
    total: { to: 'properties.revenue', type: 'currency' },
    items: { to: 'properties.quantity', type: 'integer' },
    sku: 'properties.sku',
  },
};

/** Writes `rows` orders of `customers` customers as CSV; the same arguments give the same bytes. */
export async function writeOrdersCsv(path: string, rows: number, customers = Math.max(1, Math.floor(rows / 5))): Promise<void> {
  const out = createWriteStream(path);
  let seed = 0x2545f491;
  const next = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed;
  };
  const start = Date.UTC(2015, 0, 1);
  // Lines are written in blocks: one stream write per line made a 1M-row file take half a minute.
  let block = 'order_id,customer,email,ordered_at,total,items,sku\n';
  for (let i = 1; i <= rows; i++) {
    const c = next() % customers;
    const at = new Date(start + (next() % (3650 * 86_400)) * 1000).toISOString();
    const cents = 100 + (next() % 50_000);
    block += `o-${i},cust-${c},cust-${c}@example.com,${at},"$${dollars(cents)}",${1 + (next() % 5)},SKU-${next() % 1000}\n`;
    if (block.length >= 1 << 16 || i === rows) {
      if (!out.write(block)) await once(out, 'drain');
      block = '';
    }
  }
  if (block) out.write(block);
  out.end();
  await once(out, 'finish');
}

/** 123456 cents → "1,234.56" (what toLocaleString('en-US') writes, without its cost per call). */
function dollars(cents: number): string {
  const whole = String(Math.floor(cents / 100)).replace(/\B(?=(\d{3})+$)/g, ',');
  return `${whole}.${String(cents % 100).padStart(2, '0')}`;
}
