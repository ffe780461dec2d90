// Webhook: one JSON POST per event, signed so the receiver can check origin and freshness:
//   X-Meridian-Timestamp: <unix ms>
//   X-Meridian-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>
//   Idempotency-Key: <delivery key>  (same on every retry, for receivers that dedupe)
// (src/shared/webhook-signature.ts: the one signature of every webhook Meridian sends.)
import { Type } from '@sinclair/typebox';
import { httpAttempt, jsonHeaders } from '../../shared/http-attempt.js';
import { signWebhook } from '../../shared/webhook-signature.js';
import type { Connector, ConnectorContext } from './types.js';

const post = (ctx: ConnectorContext, body: string, key: string) => {
  const timestamp = String(ctx.now());
  const headers: Record<string, string> = jsonHeaders({
    ...((ctx.config.headers as Record<string, string> | undefined) ?? {}),
    'x-meridian-timestamp': timestamp,
    'idempotency-key': key,
  });
  if (ctx.secrets.signingSecret) headers['x-meridian-signature'] = signWebhook(ctx.secrets.signingSecret, timestamp, body);
  return httpAttempt(ctx.config.url as string, { method: 'POST', headers, body }, ctx.now());
};

export const webhook: Connector = {
  name: 'webhook',
  kinds: ['events'],
  config: Type.Object({
    url: Type.String({ pattern: '^https?://' }),
    headers: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'extra request headers' })),
    deletionNotices: Type.Optional(
      Type.Boolean({ description: 'also POST a `meridian.deletion` notice (the person\'s userIds, anonymousIds, emails) when a data-subject delete or suppress runs, so the receiver can erase them too' }),
    ),
  }),
  secrets: Type.Object({ signingSecret: Type.Optional(Type.String({ minLength: 16 })) }),
  maxBatch: 1,
  testConnection: (ctx) => post(ctx, JSON.stringify({ type: 'meridian.test' }), `test-${ctx.now()}`),
  send: (ctx, batch) => {
    if (batch.kind !== 'events') throw new Error('webhook takes events');
    const item = batch.items[0];
    return post(ctx, JSON.stringify(item.payload), item.idempotencyKey);
  },
};
