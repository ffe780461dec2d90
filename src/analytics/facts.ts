// What one log event contributes to analytics: the person (identity key), a name, the page, revenue and
// the breakdown dimensions (channel, campaign, device, country, product category). Channel and campaign
// come from the event's own UTM parameters or referrer, else from the person's last non-direct touch
// within 30 days (last-non-direct-click, as web analytics tools report it); device and country fall back
// to the person's last seen values, so server-side orders carry the visitor's. Pure.
import { campaignParams } from '../sources/ads/index.js';
import type { AnalyticsEventsTable, AnalyticsPeopleTable } from './tables.js';

export const ORDER_EVENT = 'Order Completed';
export const PAGEVIEW = '$pageview';
export const SCREEN = '$screen';
export const DIRECT = '(direct)';
export const NONE = '(none)';
export const UNKNOWN = '(unknown)';
/** How long a campaign touch keeps crediting the person's later events. */
export const TOUCH_TTL_MS = 30 * 86_400_000;

export interface LogEventLike {
  seq: number;
  ts: number;
  type: string;
  event?: string | null;
  userId?: string | null;
  anonymousId?: string | null;
  payload: Record<string, unknown>;
}

const obj = (v: unknown) => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const str = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The identity key the identity graph files this event's person under. */
export function personKey(e: Pick<LogEventLike, 'userId' | 'anonymousId'>): string | null {
  if (e.userId) return `user_id:${e.userId}`;
  if (e.anonymousId) return `anonymous_id:${e.anonymousId}`;
  return null;
}

export function deviceOf(context: Record<string, unknown>): string | null {
  const type = str(obj(context.device).type)?.toLowerCase();
  if (type === 'mobile' || type === 'phone' || type === 'ios' || type === 'android') return 'mobile';
  if (type === 'tablet' || type === 'ipad') return 'tablet';
  if (type === 'desktop' || type === 'computer') return 'desktop';
  const ua = str(context.userAgent);
  if (!ua) return null;
  if (/iPad|Tablet/i.test(ua)) return 'tablet';
  if (/Mobi|iPhone|Android/i.test(ua)) return 'mobile';
  return 'desktop';
}

function pathOf(page: Record<string, unknown>, props: Record<string, unknown>): string | null {
  const path = str(page.path) ?? str(props.path);
  if (path) return path;
  const url = str(page.url) ?? str(props.url);
  if (!url) return null;
  try {
    return new URL(url).pathname;
  } catch {
    return null;
  }
}

function hostOf(url: string | null): string | null {
  if (!url) return null;
  try {
    return new URL(url).host.toLowerCase() || null;
  } catch {
    return null;
  }
}

/** A page's external referrer host (a referrer on the page's own host is navigation, not a source). */
function externalReferrer(page: Record<string, unknown>, props: Record<string, unknown>): string | null {
  const ref = hostOf(str(page.referrer) ?? str(props.referrer));
  const own = hostOf(str(page.url) ?? str(props.url));
  return ref && ref !== own ? ref : null;
}

/** The event's own source: ad platform or utm_source, else an external referrer. */
function ownTouch(e: LogEventLike, referrer: string | null): { channel: string; campaign: string } | null {
  const c = campaignParams(e.payload);
  if (c) return { channel: (c.channel ?? c.source ?? 'unknown').toLowerCase(), campaign: c.campaign ?? NONE };
  return referrer ? { channel: 'referral', campaign: NONE } : null;
}

export type Person = Omit<AnalyticsPeopleTable, 'person' | 'pid' | 'days'>;

/**
 * The event's fact row and the person's state after it. `person` is the state before (undefined: never
 * seen); the returned state is new, the input is not modified.
 */
export function factOf(e: LogEventLike, person: Person | undefined): { fact: AnalyticsEventsTable; person: Person } | null {
  const key = personKey(e);
  if (!key || (e.type !== 'track' && e.type !== 'page' && e.type !== 'screen')) return null;
  const props = obj(e.payload.properties);
  const context = obj(e.payload.context);
  const page = obj(context.page);
  const isPage = e.type === 'page';
  const name = e.type === 'track' ? (str(e.event) ?? str(e.payload.event) ?? UNKNOWN) : isPage ? PAGEVIEW : SCREEN;
  const referrer = isPage ? externalReferrer(page, props) : null;
  const touch = isPage || e.type === 'screen' ? ownTouch(e, referrer) : null;
  const live = person && person.touched_at !== null && e.ts - person.touched_at <= TOUCH_TTL_MS && e.ts >= person.touched_at;
  const channel = touch?.channel ?? (live ? person.channel : DIRECT);
  const campaign = touch ? touch.campaign : live ? person.campaign : NONE;
  const device = deviceOf(context) ?? person?.device ?? UNKNOWN;
  const country = str(obj(context.location).country)?.toUpperCase() ?? person?.country ?? UNKNOWN;
  const products = Array.isArray(props.products) ? props.products : [];
  const category = str(props.category) ?? str(obj(products[0]).category) ?? NONE;
  const revenue = num(props.revenue) ?? num(props.total) ?? num(props.value);
  const fact: AnalyticsEventsTable = {
    seq: e.seq,
    ts: e.ts,
    person: key,
    name,
    path: isPage ? pathOf(page, props) : e.type === 'screen' ? str(e.payload.name) : null,
    referrer,
    revenue,
    channel,
    campaign,
    device,
    country,
    category,
  };
  const isOrder = name === ORDER_EVENT;
  const next: Person = person
    ? {
        ...person,
        first_seen: Math.min(person.first_seen, e.ts),
        first_order: isOrder ? Math.min(person.first_order ?? e.ts, e.ts) : person.first_order,
      }
    : { first_seen: e.ts, first_order: isOrder ? e.ts : null, first_channel: channel, first_campaign: campaign, channel: DIRECT, campaign: NONE, touched_at: null, device, country };
  // An earlier event arriving late becomes the first visit: its source is the acquisition channel.
  if (person && e.ts < person.first_seen) Object.assign(next, { first_channel: channel, first_campaign: campaign });
  if (touch && touch.channel !== DIRECT && (next.touched_at === null || e.ts >= next.touched_at)) Object.assign(next, { channel: touch.channel, campaign: touch.campaign, touched_at: e.ts });
  if (device !== UNKNOWN) next.device = device;
  if (country !== UNKNOWN) next.country = country;
  return { fact, person: next };
}
