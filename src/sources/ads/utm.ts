// Campaign parameters of a page view: UTM parameters and ad click ids, from the SDK's
// context.campaign (analytics.js fills it from the URL) or else from the page URL itself. Pure.
import type { AdPlatform } from './platforms.js';

export interface CampaignParams {
  source: string | null;
  medium: string | null;
  campaign: string | null;
  term: string | null;
  content: string | null;
  clickIdType: ClickIdType | null;
  clickId: string | null;
  /** The ad platform the visit came from, when the source or click id says so. */
  channel: AdPlatform | null;
}

export const CLICK_IDS = ['gclid', 'fbclid', 'ttclid', 'bd_vid'] as const;
type ClickIdType = (typeof CLICK_IDS)[number];

const CLICK_ID_CHANNEL: Record<ClickIdType, AdPlatform> = { gclid: 'google_ads', fbclid: 'meta', ttclid: 'oceanengine', bd_vid: 'baidu' };

const SOURCE_CHANNEL: [RegExp, AdPlatform][] = [
  [/^(google|adwords|google_ads|googleads)$/i, 'google_ads'],
  [/^(facebook|fb|instagram|ig|meta)$/i, 'meta'],
  [/^(baidu|百度)$/i, 'baidu'],
  [/^(toutiao|douyin|oceanengine|巨量引擎|头条|抖音)$/i, 'oceanengine'],
  [/^(kuaishou|快手)$/i, 'kuaishou'],
];

const str = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);
const obj = (v: unknown) => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/** The campaign parameters of a normalised message, or null when it carries none. */
export function campaignParams(message: Record<string, unknown>): CampaignParams | null {
  const context = obj(message.context);
  const page = obj(context.page);
  const campaign = obj(context.campaign);
  const query = urlParams(str(page.url) ?? str(obj(message.properties).url), str(page.search) ?? str(obj(message.properties).search));
  const pick = (key: string, utm: string) => str(campaign[key]) ?? str(query?.get(utm));
  const clickIdType = CLICK_IDS.find((id) => str(query?.get(id))) ?? null;
  const found: CampaignParams = {
    source: pick('source', 'utm_source'),
    medium: pick('medium', 'utm_medium'),
    campaign: pick('name', 'utm_campaign'),
    term: pick('term', 'utm_term'),
    content: pick('content', 'utm_content'),
    clickIdType,
    clickId: clickIdType ? str(query!.get(clickIdType)) : null,
    channel: null,
  };
  found.channel = (found.source && SOURCE_CHANNEL.find(([re]) => re.test(found.source!))?.[1]) || (clickIdType && CLICK_ID_CHANNEL[clickIdType]) || null;
  return found.source || found.campaign || found.clickId ? found : null;
}

function urlParams(url: string | null, search: string | null): URLSearchParams | undefined {
  if (url) {
    try {
      return new URL(url).searchParams;
    } catch {
      // A relative or broken URL: fall back to its query string.
      const q = url.indexOf('?');
      if (q >= 0) return new URLSearchParams(url.slice(q + 1).split('#')[0]);
    }
  }
  return search ? new URLSearchParams(search.replace(/^\?/, '')) : undefined;
}
