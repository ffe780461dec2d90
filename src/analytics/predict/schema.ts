// Boundary shapes of the predictions API: refit settings and jobs, model cards, a profile's predicted
// traits and recommendations.
import { Type, type Static } from '@sinclair/typebox';

const DateTime = Type.String({ format: 'date-time' });
const Nullable = <T extends ReturnType<typeof Type.Number>>(t: T) => Type.Union([t, Type.Null()]);

export const RefitBody = Type.Object(
  {
    asOf: Type.Optional(Type.String({ format: 'date', description: 'calibration end (a UTC day, inclusive); default today' })),
    horizonDays: Type.Optional(
      Type.Integer({ minimum: 7, maximum: 730, description: "the classifier's label period: it trains on features up to asOf − horizonDays, labels after; default 90" }),
    ),
    annualDiscountRate: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'for clv_12m; default 0.1' })),
  },
  { additionalProperties: false },
);
export type RefitBody = Static<typeof RefitBody>;

export const RefitSettings = Type.Object({
  asOf: Type.String({ format: 'date' }),
  horizonDays: Type.Integer(),
  annualDiscountRate: Type.Number(),
  purchaseEvent: Type.String(),
  valueProperties: Type.Array(Type.String()),
  viewEvent: Type.String(),
});
export type RefitSettings = Static<typeof RefitSettings>;

export const JobStatus = Type.Union(['pending', 'running', 'completed', 'failed', 'interrupted'].map((s) => Type.Literal(s)));

export const PredictionJob = Type.Object({
  id: Type.String(),
  status: JobStatus,
  trigger: Type.Union([Type.Literal('api'), Type.Literal('schedule')]),
  settings: RefitSettings,
  result: Type.Union([
    Type.Object({ profilesScored: Type.Integer(), models: Type.Array(Type.String()), segmentsRecomputed: Type.Integer(), durationMs: Type.Integer() }),
    Type.Null(),
  ]),
  error: Type.Union([Type.String(), Type.Null()]),
  createdAt: DateTime,
  startedAt: Type.Union([DateTime, Type.Null()]),
  finishedAt: Type.Union([DateTime, Type.Null()]),
});
export type PredictionJob = Static<typeof PredictionJob>;

export const ClassifierMetrics = Type.Object({
  n: Type.Integer(),
  positives: Type.Integer(),
  accuracy: Type.Number(),
  precision: Type.Number(),
  recall: Type.Number(),
  auc: Type.Number(),
  logLoss: Type.Number(),
  calibration: Type.Array(Type.Object({ from: Type.Number(), to: Type.Number(), n: Type.Integer(), predicted: Type.Number(), observed: Type.Number() })),
});
export type ClassifierMetrics = Static<typeof ClassifierMetrics>;

export const MODEL_NAMES = ['bg_nbd', 'gamma_gamma', 'purchase_intent', 'recommendations'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

export const ModelCard = Type.Object({
  name: Type.Union(MODEL_NAMES.map((n) => Type.Literal(n))),
  description: Type.String(),
  status: Type.Union([Type.Literal('fitted'), Type.Literal('insufficient_data')]),
  note: Type.Optional(Type.String()),
  jobId: Type.String(),
  fittedAt: DateTime,
  dataWindow: Type.Object({ from: Type.Union([DateTime, Type.Null()]), to: DateTime }),
  /** Customers (or profiles) the model was fitted on. */
  population: Type.Integer(),
  parameters: Type.Record(Type.String(), Type.Number()),
  logLikelihood: Type.Optional(Type.Number()),
  features: Type.Optional(Type.Array(Type.String())),
  evaluation: Type.Optional(
    Type.Object({
      method: Type.String(),
      cutoff: Type.String({ format: 'date' }),
      labelUntil: Type.String({ format: 'date' }),
      model: ClassifierMetrics,
      baselines: Type.Object({ majority: ClassifierMetrics, pAlive: ClassifierMetrics }),
    }),
  ),
  /** Recommendations: the most purchased items, the fallback for profiles without history. */
  popularItems: Type.Optional(Type.Array(Type.Object({ item: Type.String(), purchasers: Type.Integer() }), { maxItems: 100 })),
  hitRate: Type.Optional(
    Type.Object({ k: Type.Integer(), profiles: Type.Integer(), model: Type.Number(), popularity: Type.Number(), cutoff: Type.String({ format: 'date' }) }),
  ),
});
export type ModelCard = Static<typeof ModelCard>;

export const ProfilePredictions = Type.Object({
  profileId: Type.String(),
  p_alive: Nullable(Type.Number()),
  expected_orders_90d: Nullable(Type.Number()),
  clv_12m: Nullable(Type.Number()),
  churn_risk: Nullable(Type.Number()),
  purchase_intent: Nullable(Type.Number()),
  computedAt: DateTime,
});
export type ProfilePredictions = Static<typeof ProfilePredictions>;

export const Recommendations = Type.Object({
  profileId: Type.String(),
  data: Type.Array(Type.Object({ item: Type.String(), score: Type.Number(), reason: Type.Union([Type.Literal('similar'), Type.Literal('popular')]) })),
});
export type Recommendations = Static<typeof Recommendations>;
