// The source health view (GET /v1/sources/:id/health).
import { Type, type Static } from '@sinclair/typebox';

export const SourceHealth = Type.Object({
  sourceId: Type.String(),
  lastSeenAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'when the newest event was received' }),
  eventsLast24h: Type.Integer(),
  hourly: Type.Array(Type.Object({ hour: Type.String({ format: 'date-time' }), events: Type.Integer() }), { description: '24 hours, oldest first, the current hour last' }),
  errorsLast24h: Type.Integer(),
  errors: Type.Array(Type.Object({ stage: Type.String(), code: Type.String(), count: Type.Integer(), lastAt: Type.String({ format: 'date-time' }) })),
});
export type SourceHealth = Static<typeof SourceHealth>;
