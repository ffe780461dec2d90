// Ad report API: upload a platform's CSV export; read spend by day/channel/campaign, and spend next
// to the visits its campaigns brought.
import type { FastifyInstance } from 'fastify';
import type { ApiKeyStore } from '../../auth/index.js';
import { AppError } from '../../shared/errors.js';
import type { Clock } from '../../shared/clock.js';
import type { AdPlatform } from './platforms.js';
import { CampaignVisits, ImportReportQuery, RangeQuery, ReportImportResult, SpendList } from './schema.js';
import { importAdReport } from './import-report.js';
import type { AdSpendStore } from './store.js';

const REPORT_BYTES = 50 * 1024 * 1024;

export async function adReportRoutes(app: FastifyInstance, opts: { store: AdSpendStore; keys: ApiKeyStore; clock: Clock }) {
  const { store } = opts;
  const tags = ['ad reports'];

  app.addContentTypeParser(['text/csv', 'text/plain', 'text/tab-separated-values', 'application/octet-stream'], { parseAs: 'buffer', bodyLimit: REPORT_BYTES }, (_req, body, done) =>
    done(null, body),
  );

  app.post<{ Querystring: { platform: AdPlatform; currency?: string; accountId?: string } }>(
    '/v1/ad-reports',
    {
      bodyLimit: REPORT_BYTES,
      schema: {
        tags,
        summary: "Import an ad platform's report export (CSV body) as campaign spend per day",
        description: 'Re-importing a report replaces the figures of the days and campaigns it covers. A report with invalid rows is rejected whole (422) with the row errors.',
        querystring: ImportReportQuery,
        response: { 200: ReportImportResult },
      },
    },
    async (req) => {
      if (!Buffer.isBuffer(req.body) || req.body.length === 0) throw new AppError('invalid_body', 400, 'send the report export as the request body (Content-Type: text/csv)');
      return importAdReport(store, req.body, req.query.platform, { currency: req.query.currency, accountId: req.query.accountId, now: opts.clock.now() });
    },
  );

  app.get<{ Querystring: { from: string; to: string; channel?: AdPlatform } }>(
    '/v1/ad-reports/spend',
    { schema: { tags, summary: 'Campaign spend per day, channel and campaign', querystring: RangeQuery, response: { 200: SpendList } } },
    async (req) => ({ data: await store.spend(req.query) }),
  );

  app.get<{ Querystring: { from: string; to: string; channel?: AdPlatform } }>(
    '/v1/ad-reports/campaign-visits',
    {
      schema: {
        tags,
        summary: 'Spend per campaign and day next to the page views its UTM campaign brought',
        querystring: RangeQuery,
        response: { 200: CampaignVisits },
      },
    },
    async (req) => store.campaignVisits(req.query),
  );
}
