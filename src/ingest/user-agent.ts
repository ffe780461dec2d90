// Device, OS and browser from a user-agent string (ua-parser-js 1, MIT), so segments, analytics and
// personalisation can use them. Browser SDKs send the same few strings over and over: results are
// kept in a bounded map, so the tracking path parses each distinct string once.
import { createRequire } from 'node:module';

interface Parsed {
  browser: { name?: string; version?: string };
  os: { name?: string; version?: string };
  device: { vendor?: string; model?: string; type?: string };
}
// ua-parser-js 1 ships no types; this is the part of its result read here.
const parseUA = createRequire(import.meta.url)('ua-parser-js') as (ua: string) => Parsed;

type Fields = Record<string, string>;
/** Segment's context fields (device.manufacturer, os.name …) found in a user agent; absent when unknown. */
export interface UserAgentContext {
  device?: Fields;
  os?: Fields;
  browser?: Fields;
}

const MAX_CACHED = 1000;
const MAX_UA_LENGTH = 512;
const cache = new Map<string, UserAgentContext>();

const fields = (pairs: [string, string | undefined][]): Fields | undefined => {
  const out: Fields = {};
  for (const [k, v] of pairs) if (v) out[k] = v;
  return Object.keys(out).length > 0 ? out : undefined;
};

export function parseUserAgent(ua: string): UserAgentContext {
  let hit = cache.get(ua);
  if (hit) return hit;
  // ua-parser's expressions are linear, but a megabyte header is still a megabyte scanned per pattern.
  const p = parseUA(ua.slice(0, MAX_UA_LENGTH));
  hit = {
    browser: fields([['name', p.browser.name], ['version', p.browser.version]]),
    os: fields([['name', p.os.name], ['version', p.os.version]]),
    // ua-parser names no type for desktops: a recognised browser with no mobile/tablet/… type is one.
    device: fields([['manufacturer', p.device.vendor], ['model', p.device.model], ['type', p.device.type ?? (p.browser.name ? 'desktop' : undefined)]]),
  };
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
  cache.set(ua, hit);
  return hit;
}

/**
 * Adds what the user agent tells to `context` (already this event's own copy) without overwriting
 * anything the SDK sent: a field is filled only when absent or empty.
 */
export function addUserAgentContext(context: Record<string, unknown>, ua: string): void {
  const parsed = parseUserAgent(ua);
  for (const key of ['device', 'os', 'browser'] as const) {
    const found = parsed[key];
    if (!found) continue;
    const sent = context[key];
    if (sent === undefined || sent === null) {
      context[key] = { ...found };
      continue;
    }
    if (typeof sent !== 'object' || Array.isArray(sent)) continue;
    let merged: Record<string, unknown> | undefined;
    for (const f in found) {
      const v = (sent as Record<string, unknown>)[f];
      if (v === undefined || v === null || v === '') (merged ??= { ...(sent as Record<string, unknown>) })[f] = found[f];
    }
    if (merged) context[key] = merged;
  }
}
