// API types, derived from the server's TypeBox schemas (type-only imports: nothing of the server is bundled).
import type { Static } from '@sinclair/typebox';
import type { Me, User as UserSchema, CreatedUser, RoleView as RoleSchema, ApiKey as ApiKeySchema, ApiKeyWithSecret as ApiKeyWithSecretSchema, PermissionName } from '../../../src/auth/schema';
import type { AuditEntry as AuditEntrySchema, AlertRule as AlertRuleSchema, ChainStatus as ChainStatusSchema, CreateAlertRuleBody } from '../../../src/auth/audit/schema';
import type { Source as SourceSchema, SourceWithKey as SourceWithKeySchema, CreateSourceBody } from '../../../src/sources/schema';
import type { EventView as EventViewSchema, FailedView as FailedViewSchema } from '../../../src/log/schema';
import type { ProfileView as ProfileViewSchema, TimelineEvent, MergeView, ProfileSearchResult, ComputedTraitDefinition } from '../../../src/profiles/schema';
import type { Segment as SegmentSchema, Preview, Member, MemberWithContacts as MemberWithContactsSchema, MembershipChange, Template, TagSummary, TagImportResult, RfmSettings, RfmScore as RfmScoreSchema, ProfileMembership } from '../../../src/segments/schema';
import type { Condition as ConditionSchema, Rule as RuleSchema, PropertyFilter as PropertyFilterSchema, Duration as DurationSchema, Window as WindowSchema } from '../../../src/segments/rule-schema';
import type { Destination as DestinationSchema, CreateDestinationBody, Delivery as DeliverySchema, Stats, ResyncResult as ResyncResultSchema } from '../../../src/destinations/schema';
import type { IdentityRules as IdentityRulesSchema } from '../../../src/identity/schema';
import type { SourceHealth as SourceHealthSchema } from '../../../src/sources/health/schema';
import type { PipelineHealth as PipelineHealthSchema } from '../../../src/log/pipeline-health';
import type { TrackingPlan as TrackingPlanSchema, StoredViolation, ViolationSummary } from '../../../src/sources/tracking-plans/schema';
import type { Transformation as TransformationSchema, TestTransformationResult } from '../../../src/sources/transform/schema';
import type { WebhookSource as WebhookSourceSchema } from '../../../src/sources/webhooks/schema';
import type { Overview as OverviewSchema } from '../../../src/analytics/schema';
import type {
  KpiAnswer as KpiAnswerSchema,
  FunnelAnswer as FunnelAnswerSchema,
  FunnelQuery as FunnelQuerySchema,
  RetentionAnswer as RetentionAnswerSchema,
  PaybackAnswer as PaybackAnswerSchema,
  PathsAnswer as PathsAnswerSchema,
  WebAnswer as WebAnswerSchema,
  EngagementAnswer as EngagementAnswerSchema,
  RoiAnswer as RoiAnswerSchema,
  RfmGridAnswer as RfmGridAnswerSchema,
  JourneysAnswer as JourneysAnswerSchema,
  Breakdown as BreakdownType,
  AttributionModel as AttributionModelType,
} from '../../../src/analytics/query-schema';
import type { ModelCard as ModelCardSchema, PredictionJob as PredictionJobSchema, ProfilePredictions as ProfilePredictionsSchema, Recommendations as RecommendationsSchema } from '../../../src/analytics/predict/schema';
import type { ImportJob as ImportJobSchema, ImportRowError as ImportRowErrorSchema } from '../../../src/sources/import/schema';
import type { MqttSource as MqttSourceSchema, PutMqttBody } from '../../../src/sources/mqtt/schema';
import type { DbSyncSource as DbSyncSourceSchema, PutDbSyncBody, RunResult } from '../../../src/sources/db-sync/schema';
import type { CampaignVisits as CampaignVisitsSchema, ReportImportResult, Platform } from '../../../src/sources/ads/schema';
import type { ConsentCategory as ConsentCategorySchema, NewConsentCategory as NewConsentCategorySchema, ConsentState as ConsentStateSchema, ConsentStatement as ConsentStatementSchema } from '../../../src/privacy/consent/schema';
import type { PrivacyRequest as PrivacyRequestSchema, NewPrivacyRequest as NewPrivacyRequestSchema } from '../../../src/privacy/dsr/schema';
import type { KeyStatus as KeyStatusSchema } from '../../../src/privacy/encryption/schema';

export interface Page<T> {
  data: T[];
  next: string | null;
}

export type MeView = Static<typeof Me>;
export type Role = MeView['role'];
export type Permission = Static<typeof PermissionName>;
export type User = Static<typeof UserSchema>;
export type NewUserResult = Static<typeof CreatedUser>;
export type RoleView = Static<typeof RoleSchema>;
export type ApiKey = Static<typeof ApiKeySchema>;
export type ApiKeyWithSecret = Static<typeof ApiKeyWithSecretSchema>;
export type AuditEntry = Static<typeof AuditEntrySchema>;
export type AlertRule = Static<typeof AlertRuleSchema>;
export type NewAlertRule = CreateAlertRuleBody;
export type ChainStatus = Static<typeof ChainStatusSchema>;
export type Source = Static<typeof SourceSchema>;
export type SourceWithKey = Static<typeof SourceWithKeySchema>;
export type NewSource = Static<typeof CreateSourceBody>;
export type EventView = Static<typeof EventViewSchema>;
export type FailedEvent = Static<typeof FailedViewSchema>;
export type Profile = Static<typeof ProfileViewSchema>;
export type TimelineEntry = Static<typeof TimelineEvent>;
export type Merge = Static<typeof MergeView>;
export type SearchHit = Static<typeof ProfileSearchResult>;
export type ComputedTrait = Static<typeof ComputedTraitDefinition>;
export type Segment = Static<typeof SegmentSchema>;
export type SegmentPreview = Static<typeof Preview>;
export type SegmentMember = Static<typeof Member>;
/** A member with its contacts (`?contacts=true`), masked by the server for the caller. */
export type SegmentMemberWithContacts = Static<typeof MemberWithContactsSchema>;
export type SegmentChange = Static<typeof MembershipChange>;
export type SegmentTemplate = Static<typeof Template>;
export type Tag = Static<typeof TagSummary>;
export type TagImport = Static<typeof TagImportResult>;
export type Rfm = Static<typeof RfmSettings>;
export type Membership = Static<typeof ProfileMembership>;
export type Condition = Static<typeof ConditionSchema>;
export type Rule = Static<typeof RuleSchema>;
export type PropertyFilter = Static<typeof PropertyFilterSchema>;
export type Duration = Static<typeof DurationSchema>;
export type Window = Static<typeof WindowSchema>;
export type Destination = Static<typeof DestinationSchema>;
export type NewDestination = Static<typeof CreateDestinationBody>;
export type Delivery = Static<typeof DeliverySchema>;
export type DeliveryStats = Static<typeof Stats>;
export type ResyncResult = Static<typeof ResyncResultSchema>;
export type PipelineHealth = Static<typeof PipelineHealthSchema>;
export type IdentityRules = Static<typeof IdentityRulesSchema>;
export type SourceHealth = Static<typeof SourceHealthSchema>;
export type TrackingPlan = Static<typeof TrackingPlanSchema>;
export type Violation = Static<typeof StoredViolation>;
export type ViolationCounts = Static<typeof ViolationSummary>;
export type Transformation = Static<typeof TransformationSchema>;
export type TransformationTest = Static<typeof TestTransformationResult>;
export type Webhook = Static<typeof WebhookSourceSchema>;
export type Overview = Static<typeof OverviewSchema>;
export type KpiAnswer = Static<typeof KpiAnswerSchema>;
export type FunnelAnswer = Static<typeof FunnelAnswerSchema>;
export type FunnelQuery = Static<typeof FunnelQuerySchema>;
export type RetentionAnswer = Static<typeof RetentionAnswerSchema>;
export type PaybackAnswer = Static<typeof PaybackAnswerSchema>;
export type PathsAnswer = Static<typeof PathsAnswerSchema>;
export type WebAnswer = Static<typeof WebAnswerSchema>;
export type EngagementAnswer = Static<typeof EngagementAnswerSchema>;
export type RoiAnswer = Static<typeof RoiAnswerSchema>;
export type RfmGridAnswer = Static<typeof RfmGridAnswerSchema>;
export type JourneysAnswer = Static<typeof JourneysAnswerSchema>;
export type Breakdown = BreakdownType;
export type AttributionModel = AttributionModelType;
export type RfmScore = Static<typeof RfmScoreSchema>;
export type ImportJob = Static<typeof ImportJobSchema>;
export type ImportRowError = Static<typeof ImportRowErrorSchema>;
export type MqttSource = Static<typeof MqttSourceSchema>;
export type MqttSetup = PutMqttBody;
export type DbSyncSource = Static<typeof DbSyncSourceSchema>;
export type DbSyncSetup = PutDbSyncBody;
export type DbSyncRun = RunResult;
export type AdPlatform = Static<typeof Platform>;
export type AdReportImport = ReportImportResult;
export type CampaignVisits = Static<typeof CampaignVisitsSchema>;
export type ConsentCategory = Static<typeof ConsentCategorySchema>;
export type NewConsentCategory = Static<typeof NewConsentCategorySchema>;
export type ConsentState = Static<typeof ConsentStateSchema>;
export type ConsentStatement = Static<typeof ConsentStatementSchema>;
export type PrivacyRequest = Static<typeof PrivacyRequestSchema>;
export type NewPrivacyRequest = Static<typeof NewPrivacyRequestSchema>;
export type EncryptionKeys = Static<typeof KeyStatusSchema>;

export type ModelCard = Static<typeof ModelCardSchema>;
export type PredictionJob = Static<typeof PredictionJobSchema>;
export type ProfilePredictions = Static<typeof ProfilePredictionsSchema>;
export type Recommendations = Static<typeof RecommendationsSchema>;
// Journeys and personalisation
import type {
  Journey as JourneySchema, JourneyDefinition as JourneyDefinitionSchema, Step as StepSchema, JourneyStats as JourneyStatsSchema,
  JourneyTemplate as JourneyTemplateSchema, ValidationResult as ValidationResultSchema, FromTemplateBody,
} from '../../../src/journeys/schema';
import type { Placement as PlacementSchema, CreatePlacementBody } from '../../../src/personalisation/schema';
export type Journey = Static<typeof JourneySchema>;
export type JourneyDefinition = Static<typeof JourneyDefinitionSchema>;
export type JourneyStep = Static<typeof StepSchema>;
export type JourneyStats = Static<typeof JourneyStatsSchema>;
export type JourneyTemplate = Static<typeof JourneyTemplateSchema>;
export type JourneyValidation = Static<typeof ValidationResultSchema>;
export type NewJourneyFromTemplate = Static<typeof FromTemplateBody>;
export type Placement = Static<typeof PlacementSchema>;
export type NewPlacement = Static<typeof CreatePlacementBody>;
