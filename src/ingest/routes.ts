// The Segment-compatible tracking endpoints: /v1/{track,identify,page,screen,group,alias,batch},
// plus the one-letter paths analytics.js uses (/v1/t, /v1/i, …, /v1/b) and the batch path of
// RudderStack's beacon queue (/beacon/v1/batch?writeKey=…).
import type { FastifyInstance } from 'fastify';
import { MESSAGE_TYPES, MessageSchemas, BatchSchema, IngestResponse, type MessageType } from './schema.js';
import { decodeBody } from './parse-body.js';
import type { Ingestor } from './service.js';
import { AppError } from '../shared/errors.js';
import { basicUser } from './basic-auth.js';
import { highVolumeLogLevel } from '../http/high-volume-logging.js';

export interface TrackingRouteOptions {
  ingestor: Ingestor;
  maxBatchBytes: number;
  maxDepth: number;
}

export async function trackingRoutes(app: FastifyInstance, opts: TrackingRouteOptions) {
  // SDKs send JSON as text/plain, gzip as x-www-form-urlencoded, …: read every body as bytes and
  // decode it ourselves (Content-Encoding decides, not Content-Type).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: opts.maxBatchBytes }, (req, raw, done) => {
    try {
      done(null, decodeBody(raw as Buffer, req.headers['content-encoding'], { maxBytes: opts.maxBatchBytes, maxDepth: opts.maxDepth }));
    } catch (err) {
      done(err as Error, undefined);
    }
  });

  const logLevel = highVolumeLogLevel(app);
  const route = (path: string, kind: MessageType | 'batch', body: object) =>
    app.post<{ Querystring: { writeKey?: string } }>(
      path,
      {
        schema: {
          tags: ['tracking'],
          summary: `${kind} call (Segment HTTP tracking API)`,
          security: [{ writeKey: [] }],
          body,
          response: { 200: IngestResponse },
        },
        // Validation is per message in the Ingestor (a bad batch item must not sink the others).
        validatorCompiler: () => () => true,
        logLevel,
      },
      async (req) => {
        // Fastify skips the parser for a body-less request (a JSON `null` body is invalid_body, not empty).
        if (req.body === undefined) throw new AppError('empty_body', 400, 'the request body is empty');
        return opts.ingestor.ingest({
          kind,
          body: req.body,
          // sendBeacon can set no header: RudderStack's beacon queue names the key in the URL.
          basicKey: basicUser(req.headers.authorization) ?? req.query.writeKey,
          ip: req.ip,
          origin: req.headers.origin,
          userAgent: req.headers['user-agent'],
        });
      },
    );

  for (const type of MESSAGE_TYPES) {
    route(`/v1/${type}`, type, MessageSchemas[type]);
    route(`/v1/${type[0]}`, type, MessageSchemas[type]);
  }
  route('/v1/batch', 'batch', BatchSchema);
  route('/v1/b', 'batch', BatchSchema);
  route('/beacon/v1/batch', 'batch', BatchSchema);
}
