// The durable outbox: a delivery is written in the SAME transaction as the change that causes it
// (a pipeline stage's batch, a resync), so a change is never committed without its deliveries and
// vice versa. A repeated (destination, idempotency key) is ignored, which makes re-applying a change
// harmless. With field encryption on, payloads (event bodies, rendered messages, audience members)
// are sealed at rest: written through the outbox's SealedJson, opened by DeliveryStore when claimed or listed.
import type { Transaction } from 'kysely';
import { insertRows, type Database, type Dialect } from '../storage/index.js';
import type { FieldCipher } from '../shared/encryption/field-cipher.js';
import { SealedJson } from '../shared/encryption/sealed-json.js';
import type { UploadSession } from './sessions.js';
import type { DeliveryOp } from './tables.js';

export interface NewDelivery {
  destinationId: string;
  /** Stable for the causing change: the same change never yields two deliveries. */
  idempotencyKey: string;
  /** Deliveries with the same key reach the destination in the order they were enqueued (the profile). */
  orderKey: string;
  op: DeliveryOp;
  segmentId?: string;
  payload: unknown;
  /** When the causing change happened (latency and age budget count from here). */
  at: number;
  /** Set when the row belongs to a multi-request upload session decided up front (replace resync). */
  session?: UploadSession;
  /** Rows with the same group are claimed together (one request). */
  attemptGroup?: string;
  /** A journey send: its journey and step (journey stats count outcomes per step from these). */
  journey?: { id: string; stepId: string };
}

/** deliveries.payload, sealed with `cipher` (undefined: field encryption off; see EventLog.payloads.cipher). */
export const deliveryPayloads = (dialect: Dialect, cipher: FieldCipher | undefined) =>
  new SealedJson({ table: 'deliveries', id: 'id', value: 'payload', key: 'payload_key' }, dialect, cipher);

const COLUMNS = [
  'destination_id', 'idempotency_key', 'order_key', 'op', 'segment_id', 'payload', 'payload_key', 'status', 'next_attempt_at', 'created_at',
  'updated_at', 'attempt_group', 'session_id', 'session_seq', 'session_batches', 'session_total', 'journey_id', 'journey_step',
] as const;

export async function enqueue(trx: Transaction<Database>, outbox: SealedJson, deliveries: NewDelivery[]): Promise<void> {
  if (deliveries.length === 0) return;
  const rows = deliveries.map((d) => {
    const payload = outbox.storeValue(d.payload);
    return {
      destination_id: d.destinationId,
      idempotency_key: d.idempotencyKey,
      order_key: d.orderKey,
      op: d.op,
      segment_id: d.segmentId ?? null,
      payload: payload.value,
      payload_key: payload.key,
      status: 'queued' as const,
      next_attempt_at: d.at,
      created_at: d.at,
      updated_at: d.at,
      attempt_group: d.attemptGroup ?? null,
      session_id: d.session?.id ?? null,
      session_seq: d.session?.seq ?? null,
      session_batches: d.session?.batches ?? null,
      session_total: d.session?.total ?? null,
      journey_id: d.journey?.id ?? null,
      journey_step: d.journey?.stepId ?? null,
    };
  });
  // Multi-row statements prepared once per size (storage/bulk): a timer tick enqueues a thousand sends.
  await insertRows(trx, outbox.dialect, 'deliveries', COLUMNS, rows, 'ON CONFLICT (destination_id, idempotency_key) DO NOTHING');
}
