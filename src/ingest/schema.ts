// The Segment tracking spec as TypeBox schemas: one schema per call type gives the runtime
// validation, the static type and the OpenAPI document.
import { Type, type Static, type TSchema } from '@sinclair/typebox';

export const MESSAGE_TYPES = ['track', 'identify', 'page', 'screen', 'group', 'alias'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

const Id = Type.Union([Type.String({ maxLength: 1024 }), Type.Number()]);
const Time = Type.String({ maxLength: 64, description: 'ISO-8601 date-time' });
const Dict = Type.Record(Type.String(), Type.Unknown());

const common = {
  type: Type.Optional(Type.String()),
  messageId: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  userId: Type.Optional(Id),
  anonymousId: Type.Optional(Id),
  timestamp: Type.Optional(Time),
  originalTimestamp: Type.Optional(Time),
  sentAt: Type.Optional(Time),
  context: Type.Optional(Dict),
  integrations: Type.Optional(Dict),
};

const message = <P extends Record<string, TSchema>>(props: P, description: string) =>
  Type.Object({ ...common, ...props }, { additionalProperties: true, description });

export const MessageSchemas = {
  track: message(
    { event: Type.String({ minLength: 1, maxLength: 512 }), properties: Type.Optional(Dict) },
    'Records an action the user performed.',
  ),
  identify: message({ traits: Type.Optional(Dict) }, 'Ties a user to their actions and records traits about them.'),
  page: message(
    { name: Type.Optional(Type.String()), category: Type.Optional(Type.String()), properties: Type.Optional(Dict) },
    'Records a page view on a website.',
  ),
  screen: message(
    { name: Type.Optional(Type.String()), category: Type.Optional(Type.String()), properties: Type.Optional(Dict) },
    'Records a screen view in a mobile app.',
  ),
  group: message({ groupId: Id, traits: Type.Optional(Dict) }, 'Associates a user with a group (company, account).'),
  alias: message({ previousId: Id }, 'Merges two user identities.'),
} satisfies Record<MessageType, TSchema>;

export type TrackingMessage = Static<(typeof MessageSchemas)[MessageType]>;

export const BatchSchema = Type.Object(
  {
    batch: Type.Array(Type.Object({ type: Type.Union(MESSAGE_TYPES.map((t) => Type.Literal(t))) }, { additionalProperties: true })),
    context: Type.Optional(Dict),
    integrations: Type.Optional(Dict),
    sentAt: Type.Optional(Time),
    writeKey: Type.Optional(Type.String()),
  },
  { additionalProperties: true, description: 'Several calls of any type in one request.' },
);

export const ItemRejection = Type.Object({
  index: Type.Integer(),
  code: Type.String(),
  message: Type.String(),
});
export type ItemRejection = Static<typeof ItemRejection>;

export const IngestResponse = Type.Object({
  success: Type.Literal(true),
  accepted: Type.Integer({ description: 'events newly written to the log' }),
  duplicates: Type.Integer({ description: 'events already received (same source and messageId) within the dedupe window' }),
  rejected: Type.Array(ItemRejection, { description: 'batch items that failed validation; kept in failed events' }),
});
export type IngestResponse = Static<typeof IngestResponse>;
