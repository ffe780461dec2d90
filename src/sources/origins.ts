// Which web origins may send browser calls to a source. A pattern is an exact origin
// ("https://shop.example", "http://localhost:3000") or a wildcard over its subdomains
// ("https://*.shop.example": www.shop.example, a.b.shop.example, not shop.example itself).

/** The pattern shape the admin API accepts (lower case, no path, optional port). */
export const ORIGIN_PATTERN = '^https?://(\\*\\.)?[a-z0-9-]+(\\.[a-z0-9-]+)*(:[0-9]{1,5})?$';

/** A request's Origin header against a source's list; no list (null) admits every origin. */
export type OriginCheck = (origin: string) => boolean;

export const anyOrigin: OriginCheck = () => true;

export function originCheck(patterns: readonly string[] | null): OriginCheck {
  if (patterns === null) return anyOrigin;
  const exact = new Set<string>();
  const wildcards: { scheme: string; suffix: string; port: string }[] = [];
  for (const p of patterns) {
    const m = /^(https?:\/\/)\*(\.[^:]+)(:\d+)?$/.exec(p);
    if (m) wildcards.push({ scheme: m[1], suffix: m[2], port: m[3] ?? '' });
    else exact.add(p);
  }
  return (origin) => {
    const o = origin.toLowerCase();
    if (exact.has(o)) return true;
    for (const w of wildcards) {
      if (!o.startsWith(w.scheme)) continue;
      const hostPort = o.slice(w.scheme.length);
      if (!hostPort.endsWith(w.port)) continue;
      const host = w.port ? hostPort.slice(0, -w.port.length) : hostPort;
      if (host.includes(':')) continue;
      if (host.length > w.suffix.length && host.endsWith(w.suffix)) return true;
    }
    return false;
  };
}
