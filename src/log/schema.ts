// Boundary shapes of the log's read API: events that arrived and failed events.
import { Type } from '@sinclair/typebox';

export const EventView = Type.Object({
  seq: Type.Integer({ description: 'position in the event log' }),
  sourceId: Type.String(),
  messageId: Type.String(),
  type: Type.String(),
  receivedAt: Type.String({ format: 'date-time' }),
  message: Type.Record(Type.String(), Type.Unknown(), { description: 'the normalised Segment message' }),
});

export const FailedView = Type.Object({
  id: Type.String(),
  sourceId: Type.String(),
  messageId: Type.Union([Type.String(), Type.Null()]),
  stage: Type.String(),
  code: Type.String(),
  reason: Type.String(),
  payload: Type.Unknown(),
  failedAt: Type.String({ format: 'date-time' }),
});
