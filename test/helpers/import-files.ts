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
  out.write('order_id,customer,email,ordered_at,total,items,sku\n');
  for (let i = 1; i <= rows; i++) {
    const c = next() % customers;
    const at = new Date(start + (next() % (3650 * 86_400)) * 1000).toISOString();
    const cents = 100 + (next() % 50_000);
    const line = `o-${i},cust-${c},cust-${c}@example.com,${at},"$${(cents / 100).toLocaleString('en-US', { minimumFractionDigits: 2 })}",${1 + (next() % 5)},SKU-${next() % 1000}\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}
