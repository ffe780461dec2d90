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
const ASSETS = '/assets/';

export async function consoleRoutes(app: FastifyInstance, opts: { dir?: string } = {}) {
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
  app.get('/*', { schema: { hide: true } }, async (req, reply) => {
    const path = req.url.split('?')[0];
    if (API_PATH.test(path)) return reply.callNotFound();
    let file: string;
    try {
      file = normalize(decodeURIComponent(path)).replace(/^\/+/, '');
    } catch {
      return reply.callNotFound();
    }
    if (!file.startsWith('..') && isFile(join(root, file))) {
      // Vite names assets by content hash: they can be cached for good.
      return path.startsWith(ASSETS)
        ? reply.sendFile(file, { cacheControl: true, maxAge: '365d', immutable: true })
        : reply.sendFile(file, { cacheControl: true, maxAge: '1h' });
    }
    if (path.startsWith(ASSETS) || !(req.headers.accept ?? '').includes('text/html')) return reply.callNotFound();
    return sendIndex(reply);
  });
}

function isFile(path: string) {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
