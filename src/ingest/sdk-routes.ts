// What the browser snippets load from their vendor's CDN, served here so a page switches by changing
// one host: Segment's settings and analytics.js bundle (the pinned @segment/analytics-next), and
// RudderStack's source config and SDK (the pinned @rudderstack/analytics-js). What names a write key
// answers for that key only, like the tracking calls.
import { readFile, readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { SourceStore } from '../sources/index.js';
import { AppError } from '../shared/errors.js';
import type { Ingestor } from './service.js';
import { basicUser } from './basic-auth.js';
import { highVolumeLogLevel } from '../http/high-volume-logging.js';
import { rudderSourceConfig, segmentSettings } from './sdk-config.js';

export interface SdkRouteOptions {
  ingestor: Ingestor;
  sources: SourceStore;
  /** config.publicUrl: where pages reach this server, when not at the Host and scheme they send. */
  publicUrl?: string;
}

const require = createRequire(import.meta.url);
const SEGMENT_DIST = join(dirname(require.resolve('@segment/analytics-next/package.json')), 'dist', 'umd');
// RudderStack's npm package has no CDN build, but a "bundled" one (plugins inside: nothing loaded from
// its CDN). Wrapped like the CDN build: it takes over the snippet's buffered calls (window.rudderanalytics).
// (Its exports hide package.json: the main entry is dist/npm/modern/cjs/index.cjs.)
const RUDDERSTACK_DIST = join(dirname(require.resolve('@rudderstack/analytics-js')), '..', '..');
const RUDDERSTACK_WRAP = [
  '(function(){var buffered=window.rudderanalytics;\n',
  '\nvar sdk=window.rudderanalytics;window.rudderanalytics=Array.isArray(buffered)?buffered:[];new sdk.RudderAnalytics();})();\n',
];
// The standalone bundle finds its CDN (where its chunks and settings are) from its script's src, but
// only for https; the snippet's `analytics._cdn` takes precedence, so it is set from this script's src.
const CDN_PREAMBLE = `(function(){var a=window.analytics,s=document.currentScript;if(a&&!a._cdn&&s&&s.src)a._cdn=s.src.replace(/\\/analytics\\.js\\/v1\\/.*$/,'');})();\n`;

interface Asset {
  plain: Buffer;
  gzip: Buffer;
}

export async function sdkRoutes(app: FastifyInstance, opts: SdkRouteOptions) {
  const { ingestor } = opts;
  const tags = ['browser SDKs'];
  const security = [{ writeKey: [] }];
  const publicBase = (req: FastifyRequest) => opts.publicUrl ?? `${req.protocol}://${req.host}`;

  // The chunks (content-hashed names) the standalone bundle loads lazily, and the bundle itself.
  const chunkNames = new Set((await readdir(SEGMENT_DIST)).filter((f) => f.endsWith('.js') && f !== 'standalone.js' && f !== 'index.js'));
  const assets = new Map<string, Promise<Asset>>();
  const asset = (name: string, load: () => Promise<Asset>) => {
    let a = assets.get(name);
    if (!a) assets.set(name, (a = load()));
    return a;
  };
  const sendScript = async (req: FastifyRequest, reply: FastifyReply, a: Asset, maxAge: number) => {
    const vary = reply.getHeader('vary');
    reply
      .type('application/javascript; charset=utf-8')
      .header('cache-control', `public, max-age=${maxAge}`)
      .header('vary', vary ? `${String(vary)}, Accept-Encoding` : 'Accept-Encoding');
    if (/\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) return reply.header('content-encoding', 'gzip').send(a.gzip);
    return reply.send(a.plain);
  };

  app.get<{ Params: { writeKey: string } }>(
    '/v1/projects/:writeKey/settings',
    { schema: { tags, summary: "Segment analytics.js settings (the CDN's), pointing it at this server", params: Type.Object({ writeKey: Type.String() }) }, logLevel: highVolumeLogLevel(app) },
    async (req) => {
      await ingestor.sourceFor(req.params.writeKey, req.headers.origin);
      return segmentSettings(req.params.writeKey, publicBase(req));
    },
  );

  app.get<{ Params: { writeKey: string } }>(
    '/analytics.js/v1/:writeKey/analytics.min.js',
    { schema: { tags, summary: 'Segment analytics.js (@segment/analytics-next standalone), for the standard snippet', params: Type.Object({ writeKey: Type.String() }) } },
    async (req, reply) => {
      await ingestor.sourceFor(req.params.writeKey, req.headers.origin);
      const a = await asset('standalone.js', async () => {
        const plain = Buffer.concat([Buffer.from(CDN_PREAMBLE), await readFile(join(SEGMENT_DIST, 'standalone.js'))]);
        return { plain, gzip: gzipSync(plain) };
      });
      // Short: the write key's source may be disabled, and an upgrade should reach pages soon.
      return sendScript(req, reply, a, 300);
    },
  );

  app.get<{ Params: { file: string } }>(
    '/analytics-next/bundles/:file',
    { schema: { tags, summary: 'A chunk analytics.js loads on demand', params: Type.Object({ file: Type.String() }) } },
    async (req, reply) => {
      const name = req.params.file;
      if (!chunkNames.has(name)) throw new AppError('not_found', 404, `no analytics.js chunk ${name}`);
      const a = await asset(name, async () => ({ plain: await readFile(join(SEGMENT_DIST, name)), gzip: await readFile(join(SEGMENT_DIST, name + '.gz')) }));
      return sendScript(req, reply, a, 365 * 24 * 3600);
    },
  );

  app.get<{ Params: { build: 'modern' | 'legacy' } }>(
    '/v3/:build/rsa.min.js',
    {
      schema: {
        tags,
        summary: 'RudderStack JavaScript SDK v3 (@rudderstack/analytics-js, bundled build), for the v3 loading snippet',
        params: Type.Object({ build: Type.Union([Type.Literal('modern'), Type.Literal('legacy')]) }),
      },
    },
    async (req, reply) => {
      const { build } = req.params;
      const a = await asset(`rudderstack-${build}`, async () => {
        const sdk = await readFile(join(RUDDERSTACK_DIST, build, 'bundled', 'umd', 'index.js'));
        const plain = Buffer.concat([Buffer.from(RUDDERSTACK_WRAP[0]), sdk, Buffer.from(RUDDERSTACK_WRAP[1])]);
        return { plain, gzip: gzipSync(plain) };
      });
      return sendScript(req, reply, a, 300);
    },
  );

  const sourceConfig = async (req: FastifyRequest<{ Querystring: { writeKey?: string } }>) => {
    const writeKey = basicUser(req.headers.authorization) ?? req.query.writeKey;
    const auth = await ingestor.sourceFor(writeKey, req.headers.origin);
    return rudderSourceConfig(await opts.sources.get(auth.sourceId), writeKey!);
  };
  const sourceConfigSchema = {
    tags,
    security,
    summary: 'RudderStack JavaScript SDK v3 source config (its configUrl)',
    querystring: Type.Object({ writeKey: Type.Optional(Type.String()) }),
  };
  app.get('/sourceConfig', { schema: sourceConfigSchema }, sourceConfig);
  app.get('/sourceConfig/', { schema: { ...sourceConfigSchema, hide: true } }, sourceConfig);
}
