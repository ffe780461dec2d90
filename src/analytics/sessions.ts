// Sessions from one profile's events in time order: a new session starts after 30 minutes without an
// event. Each session keeps its entry and exit page, its source (the first event's channel, campaign
// and referrer), page views and the dwell on each page (time to the next event in the session; the last
// page's dwell is unknown, as in every tag-based tool). A bounce is a session with a single event. Pure.
export const SESSION_GAP_MS = 30 * 60_000;

export interface SessionEvent {
  ts: number;
  name: string;
  path: string | null;
  referrer: string | null;
  channel: string;
  campaign: string;
}

export interface Session {
  start: number;
  end: number;
  events: number;
  pageviews: number;
  entry: string | null;
  exit: string | null;
  referrer: string | null;
  channel: string;
  campaign: string;
  /** [path, seconds] for each page view followed by another event of the session. */
  dwell: [string, number][];
  /** Every page viewed, in order. */
  pages: string[];
}

/** Splits one profile's events (sorted by time) into sessions. */
export function sessionize(events: readonly SessionEvent[], pageview: string, gapMs = SESSION_GAP_MS): Session[] {
  const sessions: Session[] = [];
  let cur: Session | null = null;
  let lastPage: { path: string; ts: number } | null = null;
  for (const e of events) {
    if (!cur || e.ts - cur.end > gapMs) {
      cur = { start: e.ts, end: e.ts, events: 0, pageviews: 0, entry: null, exit: null, referrer: e.referrer, channel: e.channel, campaign: e.campaign, dwell: [], pages: [] };
      sessions.push(cur);
      lastPage = null;
    }
    if (lastPage) {
      cur.dwell.push([lastPage.path, (e.ts - lastPage.ts) / 1000]);
      lastPage = null;
    }
    cur.end = e.ts;
    cur.events++;
    if (e.name === pageview) {
      const path = e.path ?? '(unknown)';
      cur.pageviews++;
      cur.entry ??= path;
      cur.exit = path;
      cur.pages.push(path);
      lastPage = { path, ts: e.ts };
    }
  }
  return sessions;
}
