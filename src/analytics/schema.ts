// Boundary shape of the overview (GET /v1/overview): the console's dashboard figures.
import { Type, type Static } from '@sinclair/typebox';

export const OVERVIEW_DAYS = 14;

export const Overview = Type.Object({
  counts: Type.Object({ sources: Type.Integer(), profiles: Type.Integer(), segments: Type.Integer(), destinations: Type.Integer() }),
  eventsPerDay: Type.Array(Type.Object({ day: Type.String({ format: 'date', description: 'UTC day' }), events: Type.Integer() }), {
    description: `events received per UTC day over the last ${OVERVIEW_DAYS} days, oldest first, today last`,
  }),
  rfm: Type.Object({
    grid: Type.Array(Type.Object({ r: Type.Integer(), f: Type.Integer(), profiles: Type.Integer() }), { description: 'profiles per recency × frequency score (1–5)' }),
    segments: Type.Array(Type.Object({ segment: Type.String(), profiles: Type.Integer() })),
    computedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'null until RFM scores were computed' }),
  }),
});
export type Overview = Static<typeof Overview>;
