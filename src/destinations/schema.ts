// API shapes of destinations, deliveries and dead letters (TypeBox: runtime validation, types, OpenAPI).
import { Type, type Static } from '@sinclair/typebox';
import { EventFilter, FieldMapping } from './event-filter.js';

export const DeliverySettings = Type.Object(
  {
    maxAttempts: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    maxAgeMs: Type.Optional(Type.Integer({ minimum: 1 })),
    baseBackoffMs: Type.Optional(Type.Integer({ minimum: 1 })),
    maxBackoffMs: Type.Optional(Type.Integer({ minimum: 1 })),
    ratePerSecond: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'requests per second to the platform' })),
    concurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: 64, description: 'requests in flight at once' })),
    breakerThreshold: Type.Optional(Type.Integer({ minimum: 1, description: 'consecutive failures that pause the destination' })),
    breakerOpenMs: Type.Optional(Type.Integer({ minimum: 1, description: 'first pause before a probe' })),
    leaseMs: Type.Optional(Type.Integer({ minimum: 100, description: 'how long a request may take before the delivery is tried again (crash recovery)' })),
    retentionMs: Type.Optional(Type.Integer({ minimum: 60_000, description: 'delivered and skipped rows are deleted this long after they settled (default 7 days); dead letters are kept' })),
  },
  { additionalProperties: false },
);
export type DeliverySettings = Static<typeof DeliverySettings>;

const Kind = Type.Union([Type.Literal('events'), Type.Literal('audience')]);
const Obj = Type.Record(Type.String(), Type.Unknown());
const Segments = Type.Record(Type.String(), Type.String(), { description: 'audience sync: segment id → platform audience (Meta audience id, Google user list id)' });

export const CreateDestinationBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    kind: Kind,
    connector: Type.String({ description: 'webhook | meta | google_ads | line | smtp' }),
    category: Type.Optional(Type.Union([Type.String({ minLength: 1 }), Type.Null()], { description: 'consent category, e.g. advertising' })),
    config: Type.Optional(Obj),
    secrets: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'stored encrypted, never returned' })),
    filter: Type.Optional(EventFilter),
    mapping: Type.Optional(Type.Union([FieldMapping, Type.Null()])),
    segments: Type.Optional(Segments),
    delivery: Type.Optional(DeliverySettings),
  },
  { additionalProperties: false },
);
export type CreateDestinationBody = Static<typeof CreateDestinationBody>;

export const UpdateDestinationBody = Type.Partial(Type.Omit(CreateDestinationBody, ['kind', 'connector']), { additionalProperties: false });
export type UpdateDestinationBody = Static<typeof UpdateDestinationBody>;

const DestinationState = Type.Union([Type.Literal('ok'), Type.Literal('errored')]);
const DestinationErrorView = Type.Union([Type.Object({ code: Type.String(), message: Type.String() }), Type.Null()], {
  description: 'why the destination is errored: secret_unreadable, invalid_config, invalid_stored_config, unknown_connector',
});

export const Destination = Type.Object({
  id: Type.String(),
  name: Type.String(),
  kind: Kind,
  connector: Type.String(),
  category: Type.Union([Type.String(), Type.Null()]),
  config: Obj,
  secretsSet: Type.Array(Type.String(), { description: 'names of the secrets that are set (values are never returned)' }),
  filter: EventFilter,
  mapping: Type.Union([FieldMapping, Type.Null()]),
  segments: Segments,
  delivery: DeliverySettings,
  status: Type.Union([Type.Literal('active'), Type.Literal('paused')]),
  /** errored: it cannot deliver (see `error`); its deliveries queue and wait until it is fixed. */
  state: DestinationState,
  error: DestinationErrorView,
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
export type Destination = Static<typeof Destination>;


export const Delivery = Type.Object({
  id: Type.Integer(),
  destinationId: Type.String(),
  idempotencyKey: Type.String(),
  orderKey: Type.String(),
  op: Type.String(),
  segmentId: Type.Union([Type.String(), Type.Null()]),
  status: Type.String(),
  attempts: Type.Integer(),
  nextAttemptAt: Type.String({ format: 'date-time' }),
  createdAt: Type.String({ format: 'date-time' }),
  deliveredAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  lastStatus: Type.Union([Type.Integer(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
  lastResponse: Type.Union([Type.String(), Type.Null()]),
  payload: Type.Unknown(),
});
export type Delivery = Static<typeof Delivery>;

export const DeliveryQuery = Type.Object({
  status: Type.Optional(Type.String()),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  cursor: Type.Optional(Type.String()),
});
export type DeliveryQuery = Static<typeof DeliveryQuery>;

export const DeadLetterFilter = Type.Object(
  {
    ids: Type.Optional(Type.Array(Type.Integer(), { minItems: 1, description: 'these dead letters only' })),
    op: Type.Optional(Type.String({ description: 'only this op (event, add, remove)' })),
    segmentId: Type.Optional(Type.String()),
    lastStatus: Type.Optional(Type.Integer({ description: 'only those whose last response had this status' })),
  },
  { additionalProperties: false, description: 'no filter = every dead letter of the destination' },
);
export type DeadLetterFilter = Static<typeof DeadLetterFilter>;

export const ResyncBody = Type.Object(
  {
    mode: Type.Optional(
      Type.Union([Type.Literal('diff'), Type.Literal('replace')], {
        default: 'diff',
        description: 'diff: queue adds/removes for the differences; replace: upload every current member in a replace session (connectors that support it: meta)',
      }),
    ),
  },
  { additionalProperties: false },
);
export type ResyncBody = Static<typeof ResyncBody>;

export const ResyncResult = Type.Union([
  Type.Object({ added: Type.Integer(), removed: Type.Integer() }),
  Type.Object({
    replaced: Type.Integer({ description: 'members uploaded in replace sessions' }),
    sessions: Type.Array(Type.Object({ segmentId: Type.String(), audienceId: Type.String(), sessionId: Type.String(), members: Type.Integer(), batches: Type.Integer() })),
    skipped: Type.Integer({ description: 'segment members not uploaded: profile gone, or consent for the category denied' }),
  }),
]);

export const Stats = Type.Object({
  queued: Type.Integer(),
  inflight: Type.Integer(),
  retrying: Type.Integer(),
  delivered: Type.Integer({ description: 'within the retention window (delivery.retentionMs, default 7 days)' }),
  skipped: Type.Integer({ description: 'within the retention window' }),
  dead: Type.Integer(),
  circuit: Type.String({ description: 'closed | open | half_open' }),
  state: DestinationState,
  error: DestinationErrorView,
  latencyMs: Type.Object({ p50: Type.Union([Type.Number(), Type.Null()]), p99: Type.Union([Type.Number(), Type.Null()]) }, { description: 'change → delivered, last 1000 deliveries still kept (retention)' }),
});
export type Stats = Static<typeof Stats>;

export const PushTokenView = Type.Object({
  token: Type.String(),
  platform: Type.Union([Type.String(), Type.Null()]),
  app: Type.Union([Type.String(), Type.Null()]),
  firstSeen: Type.Integer({ description: 'unix ms' }),
  lastSeen: Type.Integer({ description: 'unix ms' }),
});
export type PushTokenView = Static<typeof PushTokenView>;
