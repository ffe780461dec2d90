// Boundary shapes of the analytics queries (/v1/analytics/…): the common window (dates, granularity,
// time zone, segment, breakdown) and each query's own parameters and answer.
import { Type, type Static, type TProperties } from '@sinclair/typebox';
import { MaybeDifference } from '../shared/stats/schema.js';

export const BREAKDOWNS = ['channel', 'campaign', 'device', 'country', 'category'] as const;
export type Breakdown = (typeof BREAKDOWNS)[number];

/** Longest range one query may span. */
export const MAX_RANGE_DAYS = 1_830;
/** Most buckets one answer may hold (a day granularity over ~3 years). */
export const MAX_BUCKETS = 1_100;

const Granularity = Type.Union([Type.Literal('day'), Type.Literal('week'), Type.Literal('month')], { default: 'day' });
const window = {
  from: Type.String({ description: 'first local date, YYYY-MM-DD (inclusive)' }),
  to: Type.String({ description: 'last local date, YYYY-MM-DD (inclusive)' }),
  timeZone: Type.String({ default: 'UTC', description: 'IANA time zone the dates and buckets are in', maxLength: 64 }),
  segment: Type.Optional(Type.String({ description: 'only profiles currently in this segment (id)', maxLength: 200 })),
};
const granularity = { granularity: Granularity };
const breakdown = { breakdown: Type.Optional(Type.Union(BREAKDOWNS.map((b) => Type.Literal(b)), { description: 'split the figures by this dimension' })) };

const query = <P extends TProperties>(props: P) => Type.Object(props, { additionalProperties: false });

export const WindowQuery = query({ ...window });
export type WindowQuery = Static<typeof WindowQuery> & { granularity?: 'day' | 'week' | 'month'; breakdown?: Breakdown };

const Num = Type.Number();
const Rate = Type.Union([Type.Number(), Type.Null()], { description: 'null when the denominator is 0' });
const Group = Type.Union([Type.String(), Type.Null()], { description: 'the breakdown value, null without a breakdown' });

// ---- KPIs
export const KpiQuery = query({ ...window, ...granularity, ...breakdown });
const KpiFigures = {
  orders: Type.Integer(),
  revenue: Num,
  aov: Rate,
  customers: Type.Integer({ description: 'profiles with an order' }),
  newCustomers: Type.Integer({ description: 'customers whose first order ever is in the bucket' }),
  returningCustomers: Type.Integer(),
  activeUsers: Type.Integer({ description: 'profiles with any event' }),
  conversionRate: Rate,
  purchaseFrequency: Rate,
};
export const KpiAnswer = Type.Object({
  timeZone: Type.String(),
  granularity: Granularity,
  breakdown: Type.Union([Type.String(), Type.Null()]),
  source: Type.Union([Type.Literal('rollup'), Type.Literal('events')], { description: 'rollup: the person-free rollups (whole UTC days) or the per-person hourly rollup (whole UTC hours); events: the event facts (breakdowns, half-hour zones)' }),
  series: Type.Array(Type.Object({ start: Type.String({ format: 'date' }), group: Group, ...KpiFigures })),
  totals: Type.Object({ ...KpiFigures, dau: Num, wau: Num, mau: Num, stickiness: Rate }),
});
export type KpiAnswer = Static<typeof KpiAnswer>;

// ---- Funnels
const Filter = Type.Object(
  {
    property: Type.String({ minLength: 1, maxLength: 200, pattern: '^[^"]+$' }),
    op: Type.Union((['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'contains'] as const).map((o) => Type.Literal(o))),
    value: Type.Union([Type.String({ maxLength: 500 }), Type.Number(), Type.Boolean()]),
  },
  { additionalProperties: false },
);
export type PropertyFilter = Static<typeof Filter>;
export const FunnelStep = Type.Object(
  { event: Type.String({ minLength: 1, maxLength: 200, description: "event name; '$pageview' for page views" }), where: Type.Optional(Type.Array(Filter, { maxItems: 10 })) },
  { additionalProperties: false },
);
export type FunnelStep = Static<typeof FunnelStep>;
export const MAX_FUNNEL_WINDOW_S = 90 * 86_400;
export const FunnelQuery = Type.Object(
  {
    ...window,
    ...breakdown,
    steps: Type.Array(FunnelStep, { minItems: 2, maxItems: 10 }),
    windowSeconds: Type.Integer({ minimum: 1, default: 7 * 86_400, description: `conversion window from the first step (at most ${MAX_FUNNEL_WINDOW_S} s)` }),
  },
  { additionalProperties: false },
);
export type FunnelQuery = Static<typeof FunnelQuery>;
const FunnelStepResult = Type.Object({
  event: Type.String(),
  users: Type.Integer(),
  conversionFromStart: Rate,
  conversionFromPrevious: Rate,
  medianSecondsFromPrevious: Type.Union([Type.Number(), Type.Null()]),
});
export const FunnelAnswer = Type.Object({
  steps: Type.Array(FunnelStepResult),
  groups: Type.Array(Type.Object({ group: Type.String(), steps: Type.Array(FunnelStepResult) })),
});
export type FunnelAnswer = Static<typeof FunnelAnswer>;

// ---- Retention and LTV
export const RetentionQuery = query({
  ...window,
  granularity: Type.Union([Type.Literal('week'), Type.Literal('month')], { default: 'week' }),
  cohort: Type.Union([Type.Literal('first_seen'), Type.Literal('first_order')], { default: 'first_seen' }),
});
export const RetentionAnswer = Type.Object({
  cohort: Type.String(),
  granularity: Type.String(),
  cohorts: Type.Array(
    Type.Object({
      start: Type.String({ format: 'date' }),
      size: Type.Integer(),
      retained: Type.Array(Type.Integer(), { description: 'active profiles in period 0, 1, 2, … after the cohort period' }),
      retention: Type.Array(Num),
      revenuePerCustomer: Type.Array(Num, { description: 'cumulative revenue per cohort member by period (the LTV curve)' }),
    }),
  ),
  ltv: Type.Array(Type.Object({ period: Type.Integer(), revenuePerCustomer: Num, customers: Type.Integer() }), {
    description: 'cumulative revenue per customer by period since acquisition over the cohorts that reached it',
  }),
});
export type RetentionAnswer = Static<typeof RetentionAnswer>;

// ---- Payback
export const PaybackQuery = query({ ...window });
export const PaybackAnswer = Type.Object({
  data: Type.Array(
    Type.Object({
      channel: Type.String(),
      spend: Num,
      customers: Type.Integer({ description: 'profiles acquired by the channel whose first order is in the range' }),
      cac: Rate,
      cumulativeRevenue: Type.Array(Num, { description: 'their revenue by month since the first order, cumulative' }),
      paybackMonths: Type.Union([Type.Integer(), Type.Null()], { description: 'first month the revenue covers the spend; null: not yet' }),
    }),
  ),
});
export type PaybackAnswer = Static<typeof PaybackAnswer>;

// ---- Paths
export const PathsQuery = query({
  ...window,
  anchor: Type.String({ minLength: 1, maxLength: 500, description: 'event name, or page path with kind=pages' }),
  kind: Type.Union([Type.Literal('events'), Type.Literal('pages')], { default: 'events' }),
  direction: Type.Union([Type.Literal('next'), Type.Literal('previous')], { default: 'next' }),
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 10 }),
});
export const PathsAnswer = Type.Object({
  anchor: Type.String(),
  direction: Type.String(),
  occurrences: Type.Integer(),
  data: Type.Array(Type.Object({ step: Type.String({ description: "'(end)': nothing within 30 minutes (next) or the session start (previous)" }), count: Type.Integer(), share: Num })),
});
export type PathsAnswer = Static<typeof PathsAnswer>;

// ---- Web analytics
export const WebQuery = query({ ...window, ...granularity, limit: Type.Integer({ minimum: 1, maximum: 100, default: 10 }) });
const SessionCounts = { sessions: Type.Integer(), bounceRate: Rate };
export const WebAnswer = Type.Object({
  sessions: Type.Integer(),
  pageviews: Type.Integer(),
  bounceRate: Rate,
  avgSessionSeconds: Rate,
  avgDwellSeconds: Rate,
  series: Type.Array(Type.Object({ start: Type.String({ format: 'date' }), sessions: Type.Integer(), pageviews: Type.Integer(), bounces: Type.Integer() })),
  entryPages: Type.Array(Type.Object({ path: Type.String(), ...SessionCounts })),
  exitPages: Type.Array(Type.Object({ path: Type.String(), sessions: Type.Integer() })),
  pages: Type.Array(Type.Object({ path: Type.String(), pageviews: Type.Integer(), avgDwellSeconds: Rate })),
  referrers: Type.Array(Type.Object({ referrer: Type.String(), ...SessionCounts })),
  campaigns: Type.Array(Type.Object({ channel: Type.String(), campaign: Type.String(), ...SessionCounts })),
});
export type WebAnswer = Static<typeof WebAnswer>;

// ---- Engagement
export const EngagementQuery = query({ ...window, events: Type.Optional(Type.String({ maxLength: 2000, description: 'key events, comma-separated' })) });
export const EngagementAnswer = Type.Object({
  days: Type.Array(Type.Object({ day: Type.String({ format: 'date' }), dau: Type.Integer(), wau: Type.Integer(), mau: Type.Integer(), stickiness: Rate })),
  averages: Type.Object({ dau: Num, wau: Num, mau: Num, stickiness: Rate }),
  keyEvents: Type.Array(Type.Object({ event: Type.String(), count: Type.Integer(), users: Type.Integer(), perUser: Rate })),
});
export type EngagementAnswer = Static<typeof EngagementAnswer>;

// ---- Spend and ROI
export const ATTRIBUTION_MODELS = ['first_touch', 'last_touch', 'linear'] as const;
export type AttributionModel = (typeof ATTRIBUTION_MODELS)[number];
export const RoiQuery = query({
  ...window,
  model: Type.Union(ATTRIBUTION_MODELS.map((m) => Type.Literal(m)), { default: 'last_touch' }),
  lookbackDays: Type.Integer({ minimum: 1, maximum: 90, default: 30, description: 'touches this long before an order can take credit' }),
});
const RoiFigures = {
  spend: Num,
  orders: Num,
  revenue: Num,
  newCustomers: Num,
  roas: Rate,
  roi: Rate,
  cac: Rate,
};
export const RoiAnswer = Type.Object({
  model: Type.String(),
  currencies: Type.Array(Type.String(), { description: 'currencies of the spend (figures add them as they are)' }),
  channels: Type.Array(Type.Object({ channel: Type.String(), ...RoiFigures })),
  campaigns: Type.Array(Type.Object({ channel: Type.String(), campaign: Type.String(), ...RoiFigures })),
});
export type RoiAnswer = Static<typeof RoiAnswer>;

// ---- RFM grid
export const RfmGridQuery = query({ segment: window.segment });
export const RfmGridAnswer = Type.Object({
  cells: Type.Array(Type.Object({ r: Type.Integer(), f: Type.Integer(), profiles: Type.Integer(), revenue: Num })),
  profiles: Type.Integer(),
  revenue: Num,
});
export type RfmGridAnswer = Static<typeof RfmGridAnswer>;

// ---- Journey effect
export const JourneysQuery = query({
  ...window,
  journey: Type.Optional(Type.String({ maxLength: 200, description: 'only this journey (id); 422 unknown_journey when there is none' })),
});
const EffectGroup = Type.Object({
  people: Type.Integer({ description: 'entries into the journey in the range (a re-entry counts again)' }),
  converted: Type.Integer({ description: 'entries that reached the goal' }),
  conversionRate: Rate,
  revenue: Num,
  revenuePerPerson: Rate,
});
export const JourneysAnswer = Type.Object({
  data: Type.Array(
    Type.Object({
      journeyId: Type.String(),
      name: Type.String(),
      status: Type.String(),
      treated: EffectGroup,
      holdout: EffectGroup,
      conversion: MaybeDifference,
      revenuePerPerson: MaybeDifference,
    }),
  ),
});
export type JourneysAnswer = Static<typeof JourneysAnswer>;
