// Ad report API: upload a platform's CSV export; read spend by day/channel/campaign, and spend next
// to the visits its campaigns brought.
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { requireRole, type ApiKeyStore } from '../../auth/index.js';
import { AppError } from '../../shared/errors.js';
import type { Clock } from '../../shared/clock.js';
import { AD_PLATFORMS, type AdPlatform } from './platforms.js';
import { importAdReport } from './import-report.js';
import type { AdSpendStore } from './store.js';

const REPORT_BYTES = 50 * 1024 * 1024;
const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD' });
const Platform = Type.Union(AD_PLATFORMS.map((p) => Type.Literal(p)));
const SpendRow = Type.Object({
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
const RangeQuery = Type.Object({ from: Day, to: Day, channel: Type.Optional(Platform) });

export async function adReportRoutes(app: FastifyInstance, opts: { store: AdSpendStore; keys: ApiKeyStore; clock: Clock }) {
  const { store } = opts;
  const writer = requireRole(opts.keys, ['admin', 'manager']);
  const reader = requireRole(opts.keys, ['admin', 'manager', 'analyst']);
  const tags = ['ad reports'];

  app.addContentTypeParser(['text/csv', 'text/plain', 'text/tab-separated-values', 'application/octet-stream'], { parseAs: 'buffer', bodyLimit: REPORT_BYTES }, (_req, body, done) =>
    done(null, body),
  );

  app.post<{ Querystring: { platform: AdPlatform; currency?: string; accountId?: string } }>(
    '/v1/ad-reports',
    {
      preHandler: writer,
      bodyLimit: REPORT_BYTES,
      schema: {
        tags,
        summary: "Import an ad platform's report export (CSV body) as campaign spend per day",
        description: 'Re-importing a report replaces the figures of the days and campaigns it covers. A report with invalid rows is rejected whole (422) with the row errors.',
        querystring: Type.Object({
          platform: Platform,
          currency: Type.Optional(Type.String({ pattern: '^[A-Za-z]{3}$', description: 'when the report names none' })),
          accountId: Type.Optional(Type.String({ description: 'when the report has no account column' })),
        }),
        response: {
          200: Type.Object({ platform: Type.String(), rows: Type.Integer(), skipped: Type.Integer(), from: Type.Union([Type.String(), Type.Null()]), to: Type.Union([Type.String(), Type.Null()]) }),
        },
      },
    },
    async (req) => {
      if (!Buffer.isBuffer(req.body) || req.body.length === 0) throw new AppError('invalid_body', 400, 'send the report export as the request body (Content-Type: text/csv)');
      return importAdReport(store, req.body, req.query.platform, { currency: req.query.currency, accountId: req.query.accountId, now: opts.clock.now() });
    },
  );

  app.get<{ Querystring: { from: string; to: string; channel?: AdPlatform } }>(
    '/v1/ad-reports/spend',
    { preHandler: reader, schema: { tags, summary: 'Campaign spend per day, channel and campaign', querystring: RangeQuery, response: { 200: Type.Object({ data: Type.Array(SpendRow) }) } } },
    async (req) => ({ data: await store.spend(req.query) }),
  );

  app.get<{ Querystring: { from: string; to: string; channel?: AdPlatform } }>(
    '/v1/ad-reports/campaign-visits',
    {
      preHandler: reader,
      schema: {
        tags,
        summary: 'Spend per campaign and day next to the page views its UTM campaign brought',
        querystring: RangeQuery,
        response: {
          200: Type.Object({
            data: Type.Array(Type.Intersect([SpendRow, Type.Object({ visits: Type.Integer(), visitors: Type.Integer(), costPerVisit: Type.Union([Type.Number(), Type.Null()]) })])),
            unmatchedVisits: Type.Array(
              Type.Object({ day: Type.String(), channel: Type.Union([Type.String(), Type.Null()]), campaign: Type.String(), visits: Type.Integer(), visitors: Type.Integer() }),
            ),
          }),
        },
      },
    },
    async (req) => store.campaignVisits(req.query),
  );
}
