// The journey language and the journeys API shapes. A journey definition is versioned JSON: an entry
// trigger, a graph of steps (each names the step that follows) and the journey's rules (goal, exit on
// segment exit, re-entry, frequency caps, quiet hours, holdout). This file is the single source of the
// types the runner, the validator, the routes and the console use (keep it stable: other branches build on it).
import { Type, type Static } from '@sinclair/typebox';
// The schema file itself (not the capability's index): the console's types import this file.
import { Condition } from '../destinations/event-filter.js';
import { MaybeDifference } from '../shared/stats/schema.js';

/** A journey's waits and periods; `seconds` as well as the segments' units (minutes…weeks). */
export const JOURNEY_TIME_UNITS = ['seconds', 'minutes', 'hours', 'days', 'weeks'] as const;
export const Duration = Type.Object(
  { amount: Type.Integer({ minimum: 0, maximum: 100_000 }), unit: Type.Union(JOURNEY_TIME_UNITS.map((u) => Type.Literal(u))) },
  { additionalProperties: false },
);
export type Duration = Static<typeof Duration>;
const UNIT_MS = { seconds: 1_000, minutes: 60_000, hours: 3_600_000, days: 86_400_000, weeks: 604_800_000 } as const;
export const durationMs = (d: Duration) => d.amount * UNIT_MS[d.unit];
const lit = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));
const o = { additionalProperties: false } as const;

const StepId = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });
const Next = StepId;
/** "HH:MM", 24-hour clock. */
export const TimeOfDay = Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$', description: 'HH:MM (24 h)' });
const EventName = Type.String({ minLength: 1, maxLength: 200 });
/** Property conditions on the event, all must hold (the destinations' event filter: `path` like `properties.total`). */
const Where = Type.Array(Condition, { maxItems: 50 });

// ---- Entry triggers -------------------------------------------------------------------------------
export const Trigger = Type.Union([
  Type.Object({ type: Type.Literal('segment_entered'), segmentId: Type.String({ minLength: 1 }) }, o),
  Type.Object({ type: Type.Literal('event'), event: EventName, where: Type.Optional(Where) }, o),
  Type.Object(
    {
      type: Type.Literal('schedule'),
      /** Who is considered: the members of this segment (absent: every profile with the date trait). */
      segmentId: Type.Optional(Type.String({ minLength: 1 })),
      /** Local time of day (profile time zone) at which the day's entries happen. */
      at: TimeOfDay,
      /** Anniversary trait (e.g. `birthday`, "YYYY-MM-DD" or "MM-DD"): only profiles whose month-day is today. */
      dateTrait: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    },
    o,
  ),
]);
export type Trigger = Static<typeof Trigger>;

// ---- Branch conditions ----------------------------------------------------------------------------
export const CHANNELS = ['email', 'line', 'push', 'webhook', 'audience'] as const;
export type Channel = (typeof CHANNELS)[number];

export const BranchCondition = Type.Union([
  Type.Object({ type: Type.Literal('trait'), path: Type.String({ minLength: 1 }), op: Condition.properties.op, value: Type.Optional(Type.Unknown()) }, o),
  Type.Object({ type: Type.Literal('segment'), segmentId: Type.String({ minLength: 1 }), member: Type.Optional(Type.Boolean({ default: true })) }, o),
  Type.Object({ type: Type.Literal('tag'), tag: Type.String({ minLength: 1 }), has: Type.Optional(Type.Boolean({ default: true })) }, o),
  /** The profile performed the event since it entered the journey. */
  Type.Object({ type: Type.Literal('event'), event: EventName, where: Type.Optional(Where) }, o),
  /** The profile can be reached on the channel (email address / LINE user id / push token, not opted out). */
  Type.Object({ type: Type.Literal('reachable'), channel: lit(['email', 'line', 'push'] as const) }, o),
]);
export type BranchCondition = Static<typeof BranchCondition>;

// ---- Messages -------------------------------------------------------------------------------------
/** Liquid templates over `profile` (traits), `event` (triggering event), `journey` (context: cart, coupon). */
export const Message = Type.Object(
  {
    subject: Type.Optional(Type.String({ maxLength: 2000 })),
    text: Type.Optional(Type.String({ maxLength: 100_000 })),
    html: Type.Optional(Type.String({ maxLength: 500_000 })),
    /** App push notification title and body (push channel). */
    title: Type.Optional(Type.String({ maxLength: 2000 })),
    body: Type.Optional(Type.String({ maxLength: 10_000 })),
    /** Extra key/values (push data, webhook fields); values are Liquid templates. */
    data: Type.Optional(Type.Record(Type.String(), Type.String())),
  },
  o,
);
export type Message = Static<typeof Message>;

// ---- Steps ----------------------------------------------------------------------------------------
export const Step = Type.Union([
  Type.Object({ id: StepId, type: Type.Literal('wait'), duration: Duration, next: Next }, o),
  /** Wait until the next occurrence of a local time of day (profile time zone), e.g. 09:00. */
  Type.Object({ id: StepId, type: Type.Literal('wait_until'), at: TimeOfDay, next: Next }, o),
  /** Wait for an event (since entering this step); `next` when it comes, `timeoutNext` after `timeout`. */
  Type.Object({ id: StepId, type: Type.Literal('wait_for_event'), event: EventName, where: Type.Optional(Where), timeout: Duration, next: Next, timeoutNext: Next }, o),
  /** First branch whose condition holds, else `else`. */
  Type.Object(
    { id: StepId, type: Type.Literal('branch'), branches: Type.Array(Type.Object({ when: BranchCondition, next: Next }, o), { minItems: 1, maxItems: 20 }), else: Next },
    o,
  ),
  /** A/B/n split by percentage, deterministic per profile (hash of journey id, step id, profile id). */
  Type.Object(
    {
      id: StepId,
      type: Type.Literal('split'),
      variants: Type.Array(Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }), percent: Type.Number({ minimum: 0, maximum: 100 }), next: Next }, o), {
        minItems: 2,
        maxItems: 10,
      }),
    },
    o,
  ),
  /** A message (email/line/push/webhook) or an ad-audience add/remove, through a destination's outbox. */
  Type.Object(
    {
      id: StepId,
      type: Type.Literal('send'),
      channel: lit(CHANNELS),
      destinationId: Type.String({ minLength: 1 }),
      message: Type.Optional(Message),
      /** audience channel: add or remove, to the audience the destination maps `segmentId` to. */
      audience: Type.Optional(Type.Object({ op: lit(['add', 'remove'] as const), segmentId: Type.String({ minLength: 1 }) }, o)),
      /** Draw one code from this pool for the person (once per journey entry; `journey.coupon` in the message). */
      couponPoolId: Type.Optional(Type.String({ minLength: 1 })),
      next: Next,
    },
    o,
  ),
  Type.Object(
    {
      id: StepId,
      type: Type.Literal('update_profile'),
      setTraits: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
      addTags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }))),
      removeTags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }))),
      next: Next,
    },
    o,
  ),
  Type.Object({ id: StepId, type: Type.Literal('exit') }, o),
]);
export type Step = Static<typeof Step>;
export type StepType = Step['type'];

// ---- Rules ----------------------------------------------------------------------------------------
export const FrequencyCap = Type.Object(
  { channel: lit(CHANNELS), max: Type.Integer({ minimum: 1, maximum: 1000 }), per: Duration },
  { ...o, description: 'at most `max` sends on the channel per `per`, counted across ALL journeys' },
);
export type FrequencyCap = Static<typeof FrequencyCap>;

export const Rules = Type.Object(
  {
    /** The conversion: doing it exits the person at once and counts as converted. */
    goal: Type.Optional(Type.Object({ event: EventName, where: Type.Optional(Where) }, o)),
    /** Leave when the person leaves this segment (default: the trigger's segment when it has one). */
    exitOnSegmentExit: Type.Optional(Type.Union([Type.Boolean(), Type.Object({ segmentId: Type.String({ minLength: 1 }) }, o)])),
    reentry: Type.Optional(
      Type.Union([
        Type.Object({ policy: Type.Literal('once') }, o),
        Type.Object({ policy: Type.Literal('after'), after: Duration }, o),
        Type.Object({ policy: Type.Literal('always') }, o),
      ]),
    ),
    frequencyCaps: Type.Optional(Type.Array(FrequencyCap, { maxItems: 10 })),
    /** Sends due inside quiet hours (profile's local time) wait until they end. start > end spans midnight. */
    quietHours: Type.Optional(Type.Object({ start: TimeOfDay, end: TimeOfDay }, o)),
    /** Percentage of entrants held out: they enter and are counted, but get no messages. */
    holdoutPercent: Type.Optional(Type.Number({ minimum: 0, maximum: 50 })),
    /** The profile trait holding an IANA time zone (default `timezone`), else `defaultTimezone`. */
    timezoneTrait: Type.Optional(Type.String({ minLength: 1 })),
    defaultTimezone: Type.Optional(Type.String({ minLength: 1, default: 'UTC' })),
  },
  o,
);
export type Rules = Static<typeof Rules>;

export const JourneyDefinition = Type.Object(
  {
    version: Type.Literal(1, { description: 'the definition language version' }),
    trigger: Trigger,
    /** The first step is where people start. */
    steps: Type.Array(Step, { minItems: 1, maxItems: 200 }),
    rules: Type.Optional(Rules),
  },
  o,
);
export type JourneyDefinition = Static<typeof JourneyDefinition>;

// ---- API shapes -----------------------------------------------------------------------------------
export const JOURNEY_STATUSES = ['draft', 'active', 'paused', 'archived'] as const;
export type JourneyStatus = (typeof JOURNEY_STATUSES)[number];

const Name = Type.String({ minLength: 1, maxLength: 200 });
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

export const Journey = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Nullable(Type.String()),
  status: lit(JOURNEY_STATUSES),
  /** The current (newest) version; people inside stay on the version they entered. */
  version: Type.Integer(),
  definition: JourneyDefinition,
  template: Nullable(Type.String()),
  createdAt: Type.Integer(),
  updatedAt: Type.Integer(),
});
export type Journey = Static<typeof Journey>;

export const CreateJourneyBody = Type.Object(
  { name: Name, description: Type.Optional(Type.String({ maxLength: 2000 })), definition: Type.Unknown({ description: 'a JourneyDefinition (validated with 422 invalid_journey)' }) },
  o,
);
export type CreateJourneyBody = Static<typeof CreateJourneyBody>;
export const UpdateJourneyBody = Type.Partial(CreateJourneyBody, o);
export type UpdateJourneyBody = Static<typeof UpdateJourneyBody>;

export const JourneyVersion = Type.Object({ version: Type.Integer(), definition: JourneyDefinition, createdAt: Type.Integer() });
export type JourneyVersion = Static<typeof JourneyVersion>;

/** One problem of a definition: where (JSON path and, when it is about a step, the step id) and why. */
export const ValidationIssue = Type.Object({
  path: Type.String(),
  stepId: Nullable(Type.String()),
  code: lit(['schema', 'duplicate_step', 'unknown_step', 'unreachable_step', 'cycle', 'unknown_segment', 'unknown_destination', 'wrong_destination', 'missing_message', 'unknown_coupon_pool', 'bad_duration', 'bad_split', 'bad_timezone', 'bad_template'] as const),
  message: Type.String(),
});
export type ValidationIssue = Static<typeof ValidationIssue>;
export const ValidationResult = Type.Object({ valid: Type.Boolean(), issues: Type.Array(ValidationIssue) });
export type ValidationResult = Static<typeof ValidationResult>;

export const ValidateBody = Type.Object({ definition: Type.Unknown() }, o);

/** Walk a profile through the journey without sending or storing anything. */
export const DryRunBody = Type.Object(
  { profileId: Type.String({ minLength: 1 }), event: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'the triggering event' })) },
  o,
);
export type DryRunBody = Static<typeof DryRunBody>;
export const DryRunStep = Type.Object({
  stepId: Type.String(),
  type: Type.String(),
  /** What would happen: `wait 1 hours`, `branch → cart`, `send email`, `held out`, … */
  outcome: Type.String(),
  rendered: Type.Optional(Type.Record(Type.String(), Type.String())),
});
export const DryRunResult = Type.Object({ profileId: Type.String(), holdout: Type.Boolean(), steps: Type.Array(DryRunStep) });
export type DryRunResult = Static<typeof DryRunResult>;

export const PreviewMessageBody = Type.Object(
  { profileId: Type.String({ minLength: 1 }), stepId: StepId, event: Type.Optional(Type.Record(Type.String(), Type.Unknown())), context: Type.Optional(Type.Record(Type.String(), Type.Unknown())) },
  o,
);
export type PreviewMessageBody = Static<typeof PreviewMessageBody>;
export const PreviewMessage = Type.Object({ stepId: Type.String(), channel: Type.String(), rendered: Type.Record(Type.String(), Type.String()) });
export type PreviewMessage = Static<typeof PreviewMessage>;

export const ENROLLMENT_STATES = ['active', 'completed', 'exited', 'converted'] as const;
export const Enrollment = Type.Object({
  id: Type.String(),
  journeyId: Type.String(),
  version: Type.Integer(),
  profileId: Type.String(),
  state: lit(ENROLLMENT_STATES),
  stepId: Nullable(Type.String()),
  /** When the pending wait fires (null: not waiting). */
  dueAt: Type.Union([Type.Integer(), Type.Null()]),
  holdout: Type.Boolean(),
  variant: Nullable(Type.String()),
  enteredAt: Type.Integer(),
  exitedAt: Type.Union([Type.Integer(), Type.Null()]),
  exitReason: Nullable(Type.String()),
});
export type Enrollment = Static<typeof Enrollment>;

export const GroupOutcome = Type.Object({
  entered: Type.Integer(),
  converted: Type.Integer(),
  conversionRate: Type.Number(),
  revenue: Type.Number(),
  revenuePerPerson: Type.Number(),
});
export const StepStats = Type.Object({
  stepId: Type.String(),
  type: Type.String(),
  /** People currently at the step (waiting there). */
  at: Type.Integer(),
  /** Times the step was executed. */
  entered: Type.Integer(),
  sent: Type.Integer(),
  /** Sends not made: holdout, frequency cap, unreachable. */
  suppressed: Type.Integer(),
  /** Sends the destination accepted / gave up on (outbox rows delivered / dead, within the outbox's retention). */
  delivered: Type.Integer(),
  failed: Type.Integer(),
});
export const JourneyStats = Type.Object({
  journeyId: Type.String(),
  entered: Type.Integer(),
  active: Type.Integer(),
  completed: Type.Integer(),
  converted: Type.Integer(),
  exited: Type.Integer(),
  sent: Type.Integer(),
  steps: Type.Array(StepStats),
  treatment: GroupOutcome,
  holdout: GroupOutcome,
  /**
   * Treatment minus holdout, each with Welch's 95 % interval (the same as GET /v1/analytics/journeys
   * for the same entries): conversion (mean of a 0/1 outcome) and revenue per person (0 for those who
   * did not convert). Null when a group is empty.
   */
  lift: Type.Object({ conversion: MaybeDifference, revenuePerPerson: MaybeDifference }),
});
export type JourneyStats = Static<typeof JourneyStats>;

export const JourneyTemplate = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  /** Inputs create-from-template needs: destinations per channel, coupon pool. */
  needs: Type.Array(lit(['email', 'line', 'push', 'webhook', 'couponPool'] as const)),
  definition: Type.Unknown({ description: 'the definition with placeholders {{destination.email}} etc.' }),
});
export type JourneyTemplate = Static<typeof JourneyTemplate>;

export const FromTemplateBody = Type.Object(
  {
    name: Type.Optional(Name),
    destinations: Type.Optional(Type.Object({ email: Type.Optional(Type.String()), line: Type.Optional(Type.String()), push: Type.Optional(Type.String()), webhook: Type.Optional(Type.String()) }, o)),
    couponPoolId: Type.Optional(Type.String()),
    /** Segment-triggered templates (win-back): the segment whose entrants start the journey. */
    segmentId: Type.Optional(Type.String()),
  },
  o,
);
export type FromTemplateBody = Static<typeof FromTemplateBody>;

// ---- Coupons --------------------------------------------------------------------------------------
export const CouponPool = Type.Object({
  id: Type.String(),
  name: Type.String(),
  /** Pattern for generated codes: `#` a digit, `?` a letter, `*` either, anything else literal (e.g. `WELCOME-****`). */
  pattern: Nullable(Type.String()),
  total: Type.Integer(),
  assigned: Type.Integer(),
  redeemed: Type.Integer(),
  createdAt: Type.Integer(),
});
export type CouponPool = Static<typeof CouponPool>;
export const CreateCouponPoolBody = Type.Object(
  { name: Name, pattern: Type.Optional(Type.String({ minLength: 4, maxLength: 64, pattern: '[#?*]' })) },
  o,
);
export type CreateCouponPoolBody = Static<typeof CreateCouponPoolBody>;
export const ImportCodesBody = Type.Object({ codes: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 100_000 }) }, o);
export type ImportCodesBody = Static<typeof ImportCodesBody>;
export const GenerateCodesBody = Type.Object({ count: Type.Integer({ minimum: 1, maximum: 100_000 }) }, o);
export type GenerateCodesBody = Static<typeof GenerateCodesBody>;
export const CodesAdded = Type.Object({ added: Type.Integer(), duplicates: Type.Integer() });
export const Coupon = Type.Object({
  code: Type.String(),
  profileId: Nullable(Type.String()),
  journeyId: Nullable(Type.String()),
  assignedAt: Type.Union([Type.Integer(), Type.Null()]),
  redeemedAt: Type.Union([Type.Integer(), Type.Null()]),
});
export type Coupon = Static<typeof Coupon>;

// ---- What a send step puts in a destination's outbox ----------------------------------------------
/**
 * The payload body of a journey message delivery (`deliveries.payload = { body }`, op `event`): the
 * message is rendered when the step runs, so every retry sends the same text. Connectors that see
 * `type: "journey"` use `message` instead of their own templates: SMTP (`to`, `subject`, `text`,
 * `html`), LINE (`to`, `text`), push (`tokens`, `title`, `body`, `data`); a webhook posts it as is.
 */
export const JourneyDelivery = Type.Object({
  type: Type.Literal('journey'),
  journeyId: Type.String(),
  version: Type.Integer(),
  stepId: Type.String(),
  profileId: Type.String(),
  channel: lit(CHANNELS),
  /** The recipient on the channel (email address, LINE user id), when there is one. */
  to: Type.Optional(Type.String()),
  /** Push: the profile's device tokens. */
  tokens: Type.Optional(Type.Array(Type.String())),
  message: Type.Record(Type.String(), Type.String()),
  traits: Type.Record(Type.String(), Type.Unknown()),
  context: Type.Record(Type.String(), Type.Unknown()),
});
export type JourneyDelivery = Static<typeof JourneyDelivery>;
