// Ingest CPU benchmark (`npm run bench:ingest-cpu`): CPU time per event of the ingest path without
// HTTP or storage, over the same 100-event batch body as bench:ingest — the part of the per-event
// budget that validation costs before anything is stored. Baseline in the same run: `JSON.parse`
// of the body alone (what bench:ingest's baseline server does per request).
// Settings (env): BENCH_ROUNDS (parses of the batch per measure, default 3000).
import { cpus, loadavg } from 'node:os';
import { decodeBody } from '../src/ingest/parse-body.js';
import { batchEnvelope, normalise } from '../src/ingest/normalise.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3000);
const BATCH = 100;

const event = (i: number) => ({
  type: 'track',
  event: 'Product Viewed',
  userId: `user-${i}`,
  messageId: `m-${i}-${'x'.repeat(24)}`,
  timestamp: new Date().toISOString(),
  properties: { product_id: `p${i}`, price: 19.99, currency: 'USD', category: 'shoes' },
  context: { library: { name: 'analytics-node', version: '3.0.0' }, ip: '1.2.3.4' },
});
const body = Buffer.from(JSON.stringify({ batch: Array.from({ length: BATCH }, (_, i) => event(i)), sentAt: new Date().toISOString() }));
const limits = { maxBytes: 512_000, maxDepth: 32 };

/** CPU µs per event of `run` (one call = one batch), after a warm-up of a tenth of the rounds. */
function measure(run: () => void): number {
  for (let k = 0; k < ROUNDS / 10; k++) run();
  const before = process.cpuUsage();
  for (let k = 0; k < ROUNDS; k++) run();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / ROUNDS / BATCH;
}

const parsed = decodeBody(body, undefined, limits) as { batch: Record<string, unknown>[] };
const parse = measure(() => JSON.parse(body.toString('utf8')));
const decode = measure(() => decodeBody(body, undefined, limits));
const norm = measure(() => {
  const ctx = { sourceId: 'src_bench', receivedAt: Date.now(), futureToleranceMs: 86_400_000, maxEventBytes: 32_768, envelope: batchEnvelope(parsed) };
  parsed.batch.forEach((item, i) => normalise('track', item, ctx, `batch[${i}].`));
});

console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, node ${process.version}; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log(`batch of ${BATCH} events, ${body.length} bytes, ${ROUNDS} rounds per measure; CPU time per event:`);
console.log(`baseline  JSON.parse alone:                 ${parse.toFixed(2)} µs`);
console.log(`meridian  decode + safety walk:             ${decode.toFixed(2)} µs`);
console.log(`meridian  validate + normalise:             ${norm.toFixed(2)} µs`);
console.log(`meridian  decode + normalise, no storage:   ${(decode + norm).toFixed(2)} µs = ${((decode + norm) / parse).toFixed(1)}× the baseline`);
