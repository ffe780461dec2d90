// Kysely types of the destinations tables (migration 030), added to the shared Database by augmentation.
import type { Generated } from 'kysely';

export interface DestinationsTable {
  id: string;
  name: string;
  kind: 'events' | 'audience';
  connector: string;
  category: string | null;
  config: string;
  secrets: string | null;
  filter: string;
  mapping: string | null;
  segments: string;
  delivery: string;
  paused_at: number | null;
  created_at: number;
  updated_at: number;
}

export type DeliveryStatus = 'queued' | 'inflight' | 'retrying' | 'delivered' | 'skipped' | 'dead';
/** `replace`: one member of a replace-mode resync (the audience becomes exactly its session's members). */
export type DeliveryOp = 'event' | 'add' | 'remove' | 'replace';

export interface DeliveriesTable {
  id: Generated<number>;
  destination_id: string;
  idempotency_key: string;
  order_key: string;
  op: DeliveryOp;
  segment_id: string | null;
  payload: string;
  /** The data key the payload is sealed with (NULL: in clear). */
  payload_key: string | null;
  status: DeliveryStatus;
  attempts: Generated<number>;
  next_attempt_at: number;
  created_at: number;
  updated_at: number;
  delivered_at: number | null;
  last_status: number | null;
  last_error: string | null;
  last_response: string | null;
  attempt_group: string | null;
  /** Upload session (migration 070): the same id and batch number on every attempt of the request. */
  session_id: string | null;
  session_seq: number | null;
  session_batches: number | null;
  session_total: number | null;
  /** A journey send's journey and step (migration 222). */
  journey_id: string | null;
  journey_step: string | null;
}

export interface DestinationMembersTable {
  destination_id: string;
  segment_id: string;
  profile_id: string;
  identifiers: string;
  sent_at: number;
}

export interface ConsentEventsTable {
  seq: number;
  preferences: string;
}

export interface EmailOptoutsTable {
  destination_id: string;
  email: string;
  at: number;
}

export interface PushTokensTable {
  token: string;
  seq: number;
  platform: string | null;
  app: string | null;
  first_seen: number;
  last_seen: number;
}

export interface PushSendsTable {
  destination_id: string;
  idempotency_key: string;
  token: string;
  sent_at: number;
}

declare module '../storage/schema.js' {
  interface Database {
    destinations: DestinationsTable;
    deliveries: DeliveriesTable;
    destination_members: DestinationMembersTable;
    consent_events: ConsentEventsTable;
    email_optouts: EmailOptoutsTable;
    push_tokens: PushTokensTable;
    push_sends: PushSendsTable;
  }
}
