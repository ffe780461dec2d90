// Cross-origin access. Collection endpoints (tracking calls and what the browser SDKs load) answer
// any web page a source admits: write keys are public in a page by design, and a source can be held
// to a list of origins. The admin API answers cross-origin only to configured admin origins; the
// console needs nothing, being served by this server (same origin).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export interface CollectionCors {
  isCollectionPath(url: string): boolean;
  /** Whether a preflight from `origin` for `url` gets the allow headers (the call itself is checked on arrival). */
  preflightAdmits(origin: string, url: string): Promise<boolean>;
}

export interface CorsOptions {
  collection: CollectionCors;
  adminOrigins: readonly string[];
}

// Browsers cache a preflight at most 2 h (Chromium) or 24 h (Firefox); one a day per page is plenty.
const MAX_AGE = '86400';
const COLLECTION_METHODS = 'GET, POST, OPTIONS';
const ADMIN_METHODS = 'GET, POST, PUT, PATCH, DELETE, OPTIONS';
// What the SDKs send when a preflight does not list its headers (it always does in practice).
const DEFAULT_HEADERS = 'authorization, content-type, anonymousid, x-retry-count';

export function installCors(app: FastifyInstance, opts: CorsOptions) {
  const admin = new Set(opts.adminOrigins.map((o) => o.toLowerCase()));
  app.addHook('onRequest', (req, reply, done) => {
    const origin = req.headers.origin;
    if (origin === undefined) return done();
    const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
    if (opts.collection.isCollectionPath(req.url)) {
      if (!preflight) {
        // Every answer, errors included, is readable by the page: an SDK must see a 400 or 429 to act on it.
        reply.header('access-control-allow-origin', origin).header('vary', 'Origin').header('access-control-expose-headers', 'Retry-After');
        return done();
      }
      opts.collection.preflightAdmits(origin, req.url).then(
        (ok) => answerPreflight(req, reply, ok ? origin : undefined, COLLECTION_METHODS),
        (err: Error) => done(err),
      );
      return;
    }
    const allowed = admin.has(origin.toLowerCase());
    if (preflight) return answerPreflight(req, reply, allowed ? origin : undefined, ADMIN_METHODS);
    if (allowed) reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
    done();
  });
}

/** 204 either way; a refused preflight is one without the allow headers (the browser then blocks the call). */
function answerPreflight(req: FastifyRequest, reply: FastifyReply, origin: string | undefined, methods: string) {
  reply.header('vary', 'Origin, Access-Control-Request-Headers');
  if (origin !== undefined)
    reply
      .header('access-control-allow-origin', origin)
      .header('access-control-allow-methods', methods)
      .header('access-control-allow-headers', req.headers['access-control-request-headers'] ?? DEFAULT_HEADERS)
      .header('access-control-max-age', MAX_AGE);
  reply.code(204).send();
}
