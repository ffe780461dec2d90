// Boundary shapes of the ad report API (the console's types derive from them).
import { Type, type Static } from '@sinclair/typebox';
import { AD_PLATFORMS } from './platforms.js';

export const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD' });
export const Platform = Type.Union(AD_PLATFORMS.map((p) => Type.Literal(p)));

export const SpendRow = Type.Object({
  day: Type.String(),
  channel: Type.String(),
  accountId: Type.String(),
  campaignId: Type.String(),
  campaignName: Type.String(),
  currency: Type.String(),
  cost: Type.Number(),
  impressions: Type.Integer(),
  clicks: Type.Integer(),
  conversions: Type.Union([Type.Number(), Type.Null()]),
});
export type SpendRow = Static<typeof SpendRow>;

export const RangeQuery = Type.Object({ from: Day, to: Day, channel: Type.Optional(Platform) });

export const ImportReportQuery = Type.Object({
  platform: Platform,
  currency: Type.Optional(Type.String({ pattern: '^[A-Za-z]{3}$', description: 'when the report names none' })),
  accountId: Type.Optional(Type.String({ description: 'when the report has no account column' })),
});

export const ReportImportResult = Type.Object({
  platform: Type.String(),
  rows: Type.Integer(),
  skipped: Type.Integer(),
  from: Type.Union([Type.String(), Type.Null()]),
  to: Type.Union([Type.String(), Type.Null()]),
});
export type ReportImportResult = Static<typeof ReportImportResult>;

export const SpendList = Type.Object({ data: Type.Array(SpendRow) });

export const CampaignVisits = Type.Object({
  data: Type.Array(Type.Intersect([SpendRow, Type.Object({ visits: Type.Integer(), visitors: Type.Integer(), costPerVisit: Type.Union([Type.Number(), Type.Null()]) })])),
  unmatchedVisits: Type.Array(
    Type.Object({ day: Type.String(), channel: Type.Union([Type.String(), Type.Null()]), campaign: Type.String(), visits: Type.Integer(), visitors: Type.Integer() }),
  ),
});
export type CampaignVisits = Static<typeof CampaignVisits>;
