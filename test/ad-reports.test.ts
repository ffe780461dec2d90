// Ad platform reports: each platform's export (fixtures in test/fixtures/ad-reports) becomes spend
// per day and campaign; UTM parameters of page views tie visits to those campaigns.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAdReport, decodeReport } from '../src/sources/ads/parse-report.js';
import { campaignParams } from '../src/sources/ads/utm.js';
import { startTestServer, track, type TestServer } from './helpers/server.js';
import { storesUnderTest } from './helpers/stores.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/ad-reports/${name}`, import.meta.url));

describe('parsing each platform export', () => {
  const cases = [
    ['baidu', 'baidu.csv', { day: '2026-03-01', campaignName: '春季新品-品牌词', campaignId: '春季新品-品牌词', accountId: '华东旗舰店', currency: 'CNY', costMicros: 1_245_600_000, impressions: 12034, clicks: 356 }, 3],
    ['baidu', 'baidu-gb18030.csv', { day: '2026-03-01', campaignName: '春季新品-品牌词', currency: 'CNY', costMicros: 1_245_600_000 }, 3],
    ['oceanengine', 'oceanengine.csv', { day: '2026-03-01', campaignId: '7341000000000011', campaignName: '抖音-春季促销', accountId: '1760000000000001', currency: 'CNY', costMicros: 2_300_500_000, impressions: 150000, clicks: 3400, conversions: 85 }, 2],
    ['kuaishou', 'kuaishou.tsv', { day: '2026-03-01', campaignId: '5566001', campaignName: '快手-新客拉新', accountId: '20001234', currency: 'CNY', costMicros: 880_200_000, impressions: 60210, clicks: 1502, conversions: 40 }, 2],
    ['meta', 'meta.csv', { day: '2026-03-01', campaignId: '120208000000000001', campaignName: 'Spring Sale - Prospecting', currency: 'USD', costMicros: 412_370_000, impressions: 25000, clicks: 610, conversions: 45 }, 2],
    ['google_ads', 'google_ads.csv', { day: '2026-03-01', campaignId: '20123456789', campaignName: 'spring_sale_search', currency: 'USD', costMicros: 1_034_560_000, impressions: 9876, clicks: 432, conversions: 21 }, 2],
  ] as const;

  it.each(cases)('%s (%s)', (platform, file, firstRow, rowCount) => {
    const report = parseAdReport(decodeReport(fixture(file)), platform);
    expect(report.errors).toEqual([]);
    expect(report.rows).toHaveLength(rowCount);
    expect(report.rows[0]).toMatchObject({ channel: platform, ...firstRow });
  });

  it('skips title lines and total rows, and rejects a report of another platform', () => {
    const google = parseAdReport(decodeReport(fixture('google_ads.csv')), 'google_ads');
    expect(google.skipped).toBe(1);
    expect(() => parseAdReport(decodeReport(fixture('meta.csv')), 'baidu')).toThrow(/not a baidu report/);
  });

  it('asks for a daily breakdown when a Meta row spans several days', () => {
    const csv = '"Reporting starts","Reporting ends","Campaign name","Amount spent (USD)","Impressions"\n2026-03-01,2026-03-07,Weekly,10.00,100\n';
    expect(parseAdReport(csv, 'meta').errors[0].message).toMatch(/daily breakdown/);
  });
});

describe('campaign parameters of a page view', () => {
  it('reads UTM parameters and click ids from the page URL', () => {
    expect(
      campaignParams({
        type: 'page',
        context: { page: { url: 'https://shop.example.com/spring?utm_source=google&utm_medium=cpc&utm_campaign=spring_sale_search&utm_term=shoes&gclid=Cj0KCQ' } },
      }),
    ).toEqual({ source: 'google', medium: 'cpc', campaign: 'spring_sale_search', term: 'shoes', content: null, clickIdType: 'gclid', clickId: 'Cj0KCQ', channel: 'google_ads' });
  });

  it('prefers context.campaign set by the SDK and infers the channel from the source or click id', () => {
    expect(campaignParams({ context: { campaign: { name: '抖音-春季促销', source: 'douyin', medium: 'feed' }, page: { url: 'https://m.example.cn/?utm_campaign=other' } } })).toMatchObject({
      campaign: '抖音-春季促销',
      source: 'douyin',
      channel: 'oceanengine',
    });
    expect(campaignParams({ properties: { url: 'https://example.com/?fbclid=IwAR1' } })).toMatchObject({ clickIdType: 'fbclid', channel: 'meta', campaign: null });
    expect(campaignParams({ context: { page: { url: '/landing?ttclid=E.C.P' } } })).toMatchObject({ clickIdType: 'ttclid', clickId: 'E.C.P', channel: 'oceanengine' });
    expect(campaignParams({ context: { page: { url: 'https://example.com/about' } } })).toBeNull();
  });
});

describe.each(storesUnderTest())('ad reports API (%s)', (store) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ store });
  });
  afterAll(async () => {
    await server?.close();
  });

  const post = (platform: string, body: Buffer | string, extra = '') =>
    server.admin(`/v1/ad-reports?platform=${platform}${extra}`, { method: 'POST', body: body as unknown as BodyInit, headers: { 'content-type': 'text/csv' } });

  it('stores spend per day, channel and campaign from every platform, and a re-import replaces it', async () => {
    for (const [platform, file] of [['baidu', 'baidu.csv'], ['oceanengine', 'oceanengine.csv'], ['kuaishou', 'kuaishou.tsv'], ['meta', 'meta.csv'], ['google_ads', 'google_ads.csv']]) {
      const res = await post(platform, fixture(file));
      expect(res.status, `${platform}: ${await res.clone().text()}`).toBe(200);
    }
    const again = await post('baidu', fixture('baidu-gb18030.csv'));
    expect(await again.json()).toMatchObject({ platform: 'baidu', rows: 3, skipped: 1, from: '2026-03-01', to: '2026-03-02' });

    const res = await server.admin('/v1/ad-reports/spend?from=2026-03-01&to=2026-03-01');
    const { data } = (await res.json()) as { data: { channel: string; campaignName: string; cost: number; currency: string }[] };
    expect(data.map((r) => [r.channel, r.campaignName, r.cost, r.currency])).toEqual([
      ['baidu', '春季新品-品牌词', 1245.6, 'CNY'],
      ['baidu', '春季新品-通用词', 480, 'CNY'],
      ['google_ads', 'spring_sale_search', 1034.56, 'USD'],
      ['kuaishou', '快手-新客拉新', 880.2, 'CNY'],
      ['meta', 'Spring Sale - Prospecting', 412.37, 'USD'],
      ['oceanengine', '抖音-春季促销', 2300.5, 'CNY'],
    ]);
    const metaOnly = (await (await server.admin('/v1/ad-reports/spend?from=2026-03-01&to=2026-03-31&channel=meta')).json()) as { data: unknown[] };
    expect(metaOnly.data).toHaveLength(2);
  });

  it('rejects a report whose rows cannot be read, naming the rows', async () => {
    const res = await post('google_ads', 'Day,Campaign,Currency code,Cost\n2026-03-01,a,USD,12\n2026-13-01,b,USD,3\n');
    expect(res.status).toBe(422);
    const body = (await res.json()) as { error: { code: string; details: { errors: { row: number }[] } } };
    expect(body.error.code).toBe('invalid_report');
    expect(body.error.details.errors).toMatchObject([{ row: 3 }]);
  });

  it('puts page views with a campaign next to that campaign spend on the same day', async () => {
    await post('google_ads', fixture('google_ads.csv'));
    const source = await server.createSource('web');
    const page = (anonymousId: string, day: string, query: string) =>
      track(server.url, source.writeKey, '/v1/page', { anonymousId, timestamp: `${day}T09:00:00Z`, context: { page: { url: `https://shop.example.com/?${query}` } } });
    for (const r of [
      await page('a1', '2026-03-01', 'utm_source=google&utm_medium=cpc&utm_campaign=spring_sale_search&gclid=x1'),
      await page('a2', '2026-03-01', 'utm_source=google&utm_medium=cpc&utm_campaign=Spring_Sale_Search'),
      await page('a2', '2026-03-01', 'utm_source=google&utm_medium=cpc&utm_campaign=spring_sale_search'),
      await page('a3', '2026-03-01', 'utm_source=newsletter&utm_campaign=march_news'),
    ])
      expect(r.status).toBe(200);
    await server.meridian.drainPipeline();

    const res = await server.admin('/v1/ad-reports/campaign-visits?from=2026-03-01&to=2026-03-01&channel=google_ads');
    const body = (await res.json()) as { data: { campaignName: string; cost: number; visits: number; visitors: number; costPerVisit: number }[]; unmatchedVisits: unknown[] };
    expect(body.data).toMatchObject([{ campaignName: 'spring_sale_search', cost: 1034.56, visits: 3, visitors: 2, costPerVisit: 344.85 }]);
    const all = (await (await server.admin('/v1/ad-reports/campaign-visits?from=2026-03-01&to=2026-03-01')).json()) as typeof body;
    expect(all.unmatchedVisits).toEqual([{ day: '2026-03-01', channel: null, campaign: 'march_news', visits: 1, visitors: 1 }]);
  });
});
