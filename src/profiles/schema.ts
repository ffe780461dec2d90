// Boundary shapes of the profile API and computed-trait definitions.
import { Type, type Static } from '@sinclair/typebox';

export const COMPUTED_KINDS = ['count', 'sum', 'avg', 'min', 'max', 'first', 'last', 'most_frequent', 'days_since_last'] as const;

export const ComputedTraitDefinition = Type.Object(
  {
    name: Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]{0,63}$' }),
    kind: Type.Union(COMPUTED_KINDS.map((k) => Type.Literal(k))),
    event: Type.Optional(Type.String({ minLength: 1, description: 'only events with this name (track event or page/screen name); absent = every event' })),
    property: Type.Optional(
      Type.String({ minLength: 1, description: 'dot path in properties; required for sum/avg/min/max/most_frequent; first/last without it give the event time' }),
    ),
    windowDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650, description: 'only events of the last N days (computed at read time)' })),
  },
  { additionalProperties: false },
);
export type ComputedTraitDefinition = Static<typeof ComputedTraitDefinition>;

export const TraitView = Type.Object({
  value: Type.Unknown(),
  source: Type.String({ description: 'source id of the event that set it' }),
  sourceType: Type.Union([Type.String(), Type.Null()]),
  timestamp: Type.String({ format: 'date-time' }),
});

export const ProfileView = Type.Object({
  id: Type.String(),
  traits: Type.Record(Type.String(), TraitView),
  identities: Type.Array(Type.Object({ type: Type.String(), value: Type.String() })),
  computed: Type.Record(Type.String(), Type.Unknown()),
  segments: Type.Array(Type.String(), { description: 'ids of the segments the profile is in (empty while segments are not installed)' }),
  summary: Type.Object({
    firstSeen: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    lastSeen: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    eventCount: Type.Integer(),
  }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
export type ProfileView = Static<typeof ProfileView>;

export const TimelineEvent = Type.Object({
  seq: Type.Integer({ description: 'position in the event log' }),
  messageId: Type.Union([Type.String(), Type.Null()], { description: 'the raw event’s messageId (null if the log no longer holds it)' }),
  sourceId: Type.Union([Type.String(), Type.Null()], { description: 'the source that sent the event' }),
  type: Type.String(),
  event: Type.Union([Type.String(), Type.Null()]),
  timestamp: Type.String({ format: 'date-time' }),
  properties: Type.Record(Type.String(), Type.Unknown()),
});

export const MergeView = Type.Object({
  kind: Type.Union([Type.Literal('merge'), Type.Literal('unmerge')]),
  at: Type.String({ format: 'date-time' }),
  intoProfileId: Type.Union([Type.String(), Type.Null()]),
  otherProfileId: Type.Union([Type.String(), Type.Null()]),
  eventSeq: Type.Union([Type.Integer(), Type.Null()]),
  identifiers: Type.Array(Type.Object({ type: Type.String(), value: Type.String() })),
});

export const ProfileSearchResult = Type.Object({
  id: Type.String(),
  identities: Type.Array(Type.Object({ type: Type.String(), value: Type.String() })),
  traits: Type.Record(Type.String(), Type.Unknown()),
});
