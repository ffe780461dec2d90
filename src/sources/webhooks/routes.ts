// Webhook sources: the admin API that attaches a vendor and its signing secret to a source, and the
// public endpoint vendors deliver to. A delivery is verified against the raw body before anything
// is parsed, mapped to Segment messages by the vendor's transformation and ingested like any
// tracking call; a delivery that cannot be mapped is refused (400) and kept in failed events.
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { ApiKeyStore } from '../../auth/index.js';
import type { Ingestor } from '../../ingest/index.js';
import type { FailedEvents } from '../../log/index.js';
import type { Clock } from '../../shared/clock.js';
import { AppError } from '../../shared/errors.js';
import { newSecret } from '../../shared/ids.js';
import type { ConnectorStore } from '../connector-store.js';
import type { VendorApiConfig, WebhookFetchQueue } from './fetch-queue.js';
import { PutWebhookBody, WebhookResponse, WebhookSource, type WebhookConfig } from './schema.js';
import { VENDORS } from './vendors.js';
import type { WebhookRequest } from './vendor.js';

const IdParams = Type.Object({ id: Type.String() });
const MAX_BODY_BYTES = 2 * 1024 * 1024;

export async function webhookRoutes(
  app: FastifyInstance,
  opts: { connectors: ConnectorStore; ingestor: Ingestor; failed: FailedEvents; clock: Clock; keys: ApiKeyStore; fetches: WebhookFetchQueue },
) {
  const { connectors } = opts;
  const tags = ['sources'];
  const view = async (sourceId: string, generated?: string): Promise<WebhookSource> => {
    const c = await connectors.require<WebhookConfig>(sourceId, 'webhook');
    const api = await connectors.get<VendorApiConfig>(sourceId, 'vendor_api');
    const apiFetch = VENDORS[c.config.vendor].apiFetch;
    return {
      sourceId,
      vendor: c.config.vendor,
      url: `/v1/webhooks/${sourceId}`,
      ...(generated ? { secret: generated } : {}),
      ...(api && apiFetch ? { api: { baseUrl: api.config.baseUrl ?? apiFetch.defaultBaseUrl, hasAccessToken: api.hasSecret } } : {}),
      createdAt: new Date(c.createdAt).toISOString(),
      updatedAt: new Date(c.updatedAt).toISOString(),
    };
  };

  app.put<{ Params: { id: string }; Body: PutWebhookBody }>(
    '/v1/sources/:id/webhook',
    {
      schema: { tags, summary: 'Receive vendor webhooks on this source (vendor transformation and signing secret)', params: IdParams, body: PutWebhookBody, response: { 200: WebhookSource } },
    },
    async (req) => {
      const { vendor, api } = req.body;
      if (api && !VENDORS[vendor].apiFetch)
        throw new AppError('invalid_body', 400, `the ${vendor} webhooks carry their data: api (an access token) is only for ${Object.values(VENDORS).filter((v) => v.apiFetch).map((v) => v.vendor).join(', ')}`);
      const existing = await connectors.get(req.params.id, 'webhook');
      const generated = req.body.secret === undefined && !existing?.hasSecret ? newSecret('whsec') : undefined;
      await connectors.put(req.params.id, 'webhook', { vendor } satisfies WebhookConfig, req.body.secret ?? generated);
      const hasApi = (await connectors.get(req.params.id, 'vendor_api')) !== undefined;
      if (api) await connectors.put(req.params.id, 'vendor_api', { baseUrl: api.baseUrl } satisfies VendorApiConfig, api.accessToken);
      else if (hasApi && (api === null || !VENDORS[vendor].apiFetch)) await connectors.remove(req.params.id, 'vendor_api');
      return view(req.params.id, generated);
    },
  );
  app.get<{ Params: { id: string } }>(
    '/v1/sources/:id/webhook',
    { schema: { tags, summary: "Get the source's webhook set-up", params: IdParams, response: { 200: WebhookSource } } },
    async (req) => view(req.params.id),
  );
  app.delete<{ Params: { id: string } }>(
    '/v1/sources/:id/webhook',
    { schema: { tags, summary: 'Stop receiving webhooks on this source', params: IdParams } },
    async (req, reply) => {
      await connectors.remove(req.params.id, 'webhook');
      if (await connectors.get(req.params.id, 'vendor_api')) await connectors.remove(req.params.id, 'vendor_api');
      return reply.code(204).send();
    },
  );

  // Vendors sign the exact bytes they send: keep the body raw, whatever its content type.
  await app.register(async (pub) => {
    pub.removeAllContentTypeParsers();
    pub.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_BODY_BYTES }, (_req, body, done) => done(null, body));
    // SurveyMonkey checks a subscription URL with a HEAD request that must answer 200.
    pub.head<{ Params: { sourceId: string } }>(
      '/v1/webhooks/:sourceId',
      { schema: { tags: ['webhooks'], summary: 'Answers 200 when the source receives webhooks (vendors check the URL this way)', security: [], params: Type.Object({ sourceId: Type.String() }) } },
      async (req, reply) => {
        await connectors.require(req.params.sourceId, 'webhook');
        return reply.code(200).send();
      },
    );
    pub.post<{ Params: { sourceId: string } }>(
      '/v1/webhooks/:sourceId',
      {
        schema: {
          tags: ['webhooks'],
          summary: 'Delivery endpoint for vendor webhooks (authenticated by the vendor signature)',
          security: [],
          params: Type.Object({ sourceId: Type.String() }),
          response: { 200: WebhookResponse },
        },
      },
      async (req) => {
        const { sourceId } = req.params;
        const conn = await connectors.require<WebhookConfig>(sourceId, 'webhook');
        const vendor = VENDORS[conn.config.vendor];
        const delivery: WebhookRequest = { body: (req.body as Buffer | undefined) ?? Buffer.alloc(0), headers: req.headers, now: opts.clock.now() };
        const ignored = { success: true as const, accepted: 0, duplicates: 0, rejected: 0, ignored: true };
        if (vendor.isPing?.(delivery)) return ignored;

        const secret = await connectors.secret(sourceId, 'webhook');
        if (!secret) throw new AppError('webhook_not_configured', 404, `source ${sourceId} has no webhook secret`);
        vendor.verify(delivery, secret);

        let payload: unknown;
        try {
          payload = parseJson(delivery.body);
          const messages = vendor.toMessages(payload, delivery);
          if (messages.length === 0) return ignored;
          const deliveryId = vendor.apiFetch?.deliveryId(payload);
          if (deliveryId !== undefined && (await connectors.get(sourceId, 'vendor_api'))) return await viaVendorApi(sourceId, deliveryId, payload);
          const res = await opts.ingestor.ingestForSource(sourceId, messages);
          return { success: true as const, accepted: res.accepted, duplicates: res.duplicates, rejected: res.rejected.length, ignored: false };
        } catch (err) {
          // Refused deliveries (unparseable, unmappable, or mapped to events the log refuses, e.g. too
          // large) are kept; a vendor gives up retrying them after a while.
          if (err instanceof AppError && err.status < 500 && err.status !== 429 && err.code !== 'source_disabled')
            await opts.failed.record([
              { sourceId, messageId: null, stage: 'webhook', code: err.code, reason: err.message, payload: payload ?? delivery.body.toString('utf8'), failedAt: delivery.now },
            ]);
          throw err;
        }
      },
    );
  });

  /** Stored before the vendor API is read, so an outage delays the event instead of losing it. */
  async function viaVendorApi(sourceId: string, deliveryId: string, payload: unknown) {
    await opts.fetches.enqueue(sourceId, deliveryId, payload);
    const outcome = await opts.fetches.attempt(sourceId, deliveryId);
    const base = { success: true as const, accepted: 0, duplicates: 0, rejected: 0, ignored: false };
    if (outcome.kind === 'done') return { ...base, accepted: outcome.result.accepted, duplicates: outcome.result.duplicates, rejected: outcome.result.rejected.length, queued: false };
    // A refusal is in failed events; answering an error would only make the vendor send it again.
    if (outcome.kind === 'failed') return { ...base, rejected: 1, queued: false };
    return { ...base, queued: true };
  }
}

function parseJson(body: Buffer): unknown {
  if (body.length === 0) throw new AppError('empty_body', 400, 'the webhook body is empty');
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new AppError('invalid_json', 400, `the webhook body is not valid JSON: ${(err as Error).message}`);
  }
}
