// The report export formats of each ad platform: which header text (as the platform writes it,
// Chinese for the Chinese platforms) holds the day, campaign, cost, impressions, clicks and
// conversions. Headers are compared after `headerKey` (case, spaces and full-width brackets
// ignored), so "花费（元）" and "花费(元)" are the same column.

export const AD_PLATFORMS = ['baidu', 'oceanengine', 'kuaishou', 'meta', 'google_ads'] as const;
export type AdPlatform = (typeof AD_PLATFORMS)[number];

export const SPEND_FIELDS = ['day', 'dayEnd', 'accountId', 'campaignId', 'campaignName', 'currency', 'cost', 'impressions', 'clicks', 'conversions'] as const;
export type SpendField = (typeof SPEND_FIELDS)[number];

export interface PlatformFormat {
  /** Header texts per field, most specific first. */
  columns: Partial<Record<SpendField, string[]>>;
  /** Cost headers that carry the currency, e.g. Meta's "Amount spent (USD)". */
  costWithCurrency?: RegExp;
  /** Currency when the report names none (Chinese platforms bill in yuan). */
  defaultCurrency?: string;
}

export const PLATFORM_FORMATS: Record<AdPlatform, PlatformFormat> = {
  // 百度营销 (凤巢) 推广计划报告, 分日: 日期, 账户, 推广计划, 展现, 点击, 消费, 点击率, 平均点击价格, 千次展现消费.
  baidu: {
    columns: {
      day: ['日期', '时间'],
      accountId: ['账户ID', '账户'],
      campaignId: ['推广计划ID', '计划ID'],
      campaignName: ['推广计划', '推广计划名称', '计划名称'],
      cost: ['消费', '消费(元)', '点击消费'],
      impressions: ['展现', '展现量'],
      clicks: ['点击', '点击量'],
      conversions: ['转化', '网页转化', '转化(网页)'],
    },
    defaultCurrency: 'CNY',
  },
  // 巨量引擎 (Ocean Engine: Toutiao/Douyin) 广告报表: 日期/时间, 广告计划名称, 广告计划ID, 消耗, 展示数, 点击数, 转化数.
  oceanengine: {
    columns: {
      day: ['日期', '时间'],
      accountId: ['广告主ID', '账户ID'],
      campaignId: ['广告计划ID', '计划ID', '项目ID'],
      campaignName: ['广告计划名称', '广告计划', '计划名称', '项目名称'],
      cost: ['消耗', '消耗(元)', '总花费'],
      impressions: ['展示数', '展示次数'],
      clicks: ['点击数', '点击次数'],
      conversions: ['转化数'],
    },
    defaultCurrency: 'CNY',
  },
  // 磁力引擎 (Kuaishou) 数据报表: 日期, 广告计划名称, 广告计划ID, 花费（元）, 封面曝光数, 封面点击数/行为数, 激活数.
  kuaishou: {
    columns: {
      day: ['日期', '时间'],
      accountId: ['账户ID', '广告主ID'],
      campaignId: ['广告计划ID', '计划ID'],
      campaignName: ['广告计划名称', '广告计划', '计划名称'],
      cost: ['花费(元)', '花费', '消耗'],
      impressions: ['封面曝光数', '曝光数', '素材曝光数'],
      clicks: ['封面点击数', '行为数', '点击数'],
      conversions: ['激活数', '转化数'],
    },
    defaultCurrency: 'CNY',
  },
  // Meta Ads Manager "Export table data" with a Day breakdown.
  meta: {
    columns: {
      day: ['Day', 'Reporting starts'],
      dayEnd: ['Reporting ends'],
      accountId: ['Account ID', 'Account name'],
      campaignId: ['Campaign ID'],
      campaignName: ['Campaign name'],
      cost: ['Amount spent'],
      impressions: ['Impressions'],
      clicks: ['Link clicks', 'Clicks (all)'],
      conversions: ['Results'],
    },
    costWithCurrency: /^amountspent\(([a-z]{3})\)$/,
  },
  // Google Ads report download (CSV): two title lines, then Day, Campaign, Campaign ID, Currency code, Cost, Impr., Clicks, Conversions.
  google_ads: {
    columns: {
      day: ['Day', 'Date'],
      accountId: ['Customer ID', 'Account'],
      campaignId: ['Campaign ID'],
      campaignName: ['Campaign'],
      currency: ['Currency code', 'Currency'],
      cost: ['Cost'],
      impressions: ['Impr.', 'Impressions'],
      clicks: ['Clicks'],
      conversions: ['Conversions'],
    },
  },
};

export const headerKey = (h: string) =>
  h
    .normalize('NFKC') // full-width （） → ()
    .toLowerCase()
    .replace(/\s+/g, '');
