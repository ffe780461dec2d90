// Serves the web console (the Vite build in dist/console) at `/`: hashed assets with a long cache,
// index.html never cached, and index.html for any other GET that asks for HTML (the console's own
// routes, e.g. /customers/abc, are client-side). API paths keep the JSON not-found envelope.
import { existsSync, statSync } from 'node:fs';
import { join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fastifyStatic from '@fastify/static';

/** Both src/http (tests, tsx) and dist/http (npm start) sit two levels below the project root. */
export const CONSOLE_DIR = fileURLToPath(new URL('../../dist/console/', import.meta.url));

const API_PATH = /^\/(v1(\/|$)|healthz$|readyz$|metrics$|openapi\.json$)/;
/** API paths answer JSON (or CSV, streams); every other path is the console's (pages, assets). */
export const isApiPath = (url: string) => API_PATH.test(url.split('?')[0]);
const ASSETS = '/assets/';

/** Called on the root app, not registered as a plugin: the not-found fallback needs `reply.sendFile` there. */
export async function serveConsole(app: FastifyInstance, opts: { dir?: string } = {}) {
  const root = opts.dir ?? CONSOLE_DIR;
  const built = () => existsSync(join(root, 'index.html'));
  // Brotli/gzip files written next to the assets by the console build are sent when the client takes them.
  await app.register(fastifyStatic, { root, serve: false, preCompressed: true });

  const sendIndex = (reply: FastifyReply) => {
    if (!built())
      return reply
        .code(503)
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-cache')
        .send('<!doctype html><meta charset="utf-8"><title>Meridian</title><p>The console is not built yet: run <code>npm run build</code> (or <code>npm start</code>, which builds it), then reload.</p>');
    return reply.header('cache-control', 'no-cache').sendFile('index.html', { cacheControl: false });
  };

  app.get('/', { schema: { hide: true } }, async (_req, reply) => sendIndex(reply));
  // Vite names assets by content hash: they can be cached for good.
  app.get('/assets/*', { schema: { hide: true } }, async (req, reply) => {
    const file = fileUnder(root, req.url.split('?')[0]);
    return file ? reply.sendFile(file, { cacheControl: true, maxAge: '365d', immutable: true }) : reply.callNotFound();
  });
  // Any other GET: a file of the build's root (favicon …), or index.html for a page that asks for HTML.
  // A fallback of the not-found handler, not a `/*` route: unknown API paths keep their 404/405/414.
  app.notFoundFallbacks.push((req, reply) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return undefined;
    const path = req.url.split('?')[0];
    if (isApiPath(path) || path.startsWith(ASSETS)) return undefined;
    const file = fileUnder(root, path);
    if (file) return reply.sendFile(file, { cacheControl: true, maxAge: '1h' });
    return (req.headers.accept ?? '').includes('text/html') ? sendIndex(reply) : undefined;
  });
}

/** The build file a URL path names, relative to root; undefined when it names none (or climbs out). */
function fileUnder(root: string, path: string): string | undefined {
  let file: string;
  try {
    file = normalize(decodeURIComponent(path)).replace(/^\/+/, '');
  } catch {
    return undefined;
  }
  return !file.startsWith('..') && isFile(join(root, file)) ? file : undefined;
}

function isFile(path: string) {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
