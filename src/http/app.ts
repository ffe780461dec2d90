// The Fastify application: logging, error mapping, OpenAPI, health, metrics, and each capability's routes.
import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import type { Config } from '../config.js';
import type { Metrics } from './metrics.js';
import { errorOptions, installErrorHandler } from './errors.js';
import { logRedaction } from './log-redaction.js';
import { tlsOptions, HSTS } from './tls.js';
import { installSecurityHeaders } from './security-headers.js';
import { lazyChildLoggerFactory } from './lazy-logger.js';
import { schemaCompilers } from './schema-compilers.js';

export interface AppOptions {
  config: Config;
  metrics: Metrics;
  isReady: () => boolean;
  /** Tests only: where log lines go (default stdout). */
  logStream?: NodeJS.WritableStream;
}

export async function createHttpApp({ config, metrics, isReady, logStream }: AppOptions): Promise<FastifyInstance> {
  const https = tlsOptions(config);
  const app = Fastify({
    ...(https ? { https } : {}),
    logger: { level: config.logLevel, ...logRedaction(config.piiFields.map((f) => f.slice(0, f.lastIndexOf(':')))), ...(logStream ? { stream: logStream } : {}) },
    childLoggerFactory: lazyChildLoggerFactory,
    bodyLimit: 1024 * 1024,
    // X-Forwarded-* are believed only from the configured proxies; anyone else could claim any client IP.
    trustProxy: config.trustedProxies.length > 0 ? config.trustedProxies : false,
    // Requests in flight when shutdown starts are allowed to finish (their events get committed).
    forceCloseConnections: 'idle',
    ajv: { customOptions: { coerceTypes: true, removeAdditional: false, useDefaults: true } },
    // Route schemas compile once per process, not once per app (tests build many apps in one process).
    schemaController: { compilersFactory: schemaCompilers },
    ...errorOptions,
  });

  await app.register(swagger, {
    openapi: {
      info: { title: 'Meridian API', version: '0.1.0', description: 'Customer Data Platform: tracking and admin API' },
      components: {
        securitySchemes: {
          writeKey: { type: 'http', scheme: 'basic', description: 'the source write key as user name, empty password' },
          apiKey: { type: 'http', scheme: 'bearer', description: 'an admin API key' },
        },
      },
      security: [{ apiKey: [] }],
    },
  });

  installSecurityHeaders(app);
  installErrorHandler(app, (code, url) => {
    if (isTrackingPath(url)) metrics.eventsRejected.inc({ code });
  });

  // A request that was in flight when shutdown began closes its connection after answering; a
  // keep-alive client would otherwise hold close() open until its idle timeout.
  // Hooks on every request are callback-style: an async hook costs a promise and a microtask hop per request.
  app.addHook('onSend', (_req, reply, payload, done) => {
    if (!isReady()) reply.header('connection', 'close');
    // Browsers that once reached Meridian over HTTPS never fall back to plain HTTP for it.
    if (https) reply.header('strict-transport-security', HSTS);
    done(null, payload);
  });

  app.addHook('onResponse', (req, reply, done) => {
    if (req.method === 'POST' && reply.statusCode === 200 && isTrackingPath(req.url)) metrics.ackLatency.observe(reply.elapsedTime / 1000);
    done();
  });

  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (_req, reply) =>
    isReady() ? { status: 'ready' } : reply.code(503).send({ error: { code: 'not_ready', message: 'starting or shutting down' } }),
  );
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) =>
    reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}

const TRACKING = /^\/(v1\/(track|identify|page|screen|group|alias|batch|[tipsgab])|beacon\/v1\/batch)(\?|$)/;
const isTrackingPath = (url: string) => TRACKING.test(url);
