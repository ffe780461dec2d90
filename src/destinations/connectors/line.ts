// LINE Messaging API: text messages to LINE users.
//   POST /v2/bot/message/push       {to, messages}          one user
//   POST /v2/bot/message/multicast  {to: [≤ 500], messages}  the same message to several users
//   POST /v2/bot/message/broadcast  {messages}              every friend of the account (mode broadcast)
// Auth: Bearer channel access token. Every request carries X-Line-Retry-Key (a UUID derived from the
// deliveries it carries), so a retry after a lost response is executed once; LINE answers 409 to a
// key it already accepted, which therefore counts as delivered.
import { createHash } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { Liquid } from 'liquidjs';
import { getPath } from '../event-filter.js';
import { httpAttempt, joinUrl, jsonHeaders } from '../../shared/http-attempt.js';
import type { Connector, ConnectorContext, EventItem } from './types.js';

export const LINE_MULTICAST_MAX = 500;
const liquid = new Liquid({ cache: true });

/** A UUID-formatted key that is the same whenever the same deliveries are retried together. */
export function retryKey(keys: string[]): string {
  const h = createHash('sha256').update([...keys].sort().join('\n')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

// A journey message (src/journeys: JourneyDelivery) arrives rendered, with its recipient.
const isJourney = (item: EventItem) => item.payload.type === 'journey';
const text = (ctx: ConnectorContext, item: EventItem) =>
  isJourney(item)
    ? String(getPath(item.payload, 'message.text') ?? '')
    : liquid.parseAndRenderSync(String(ctx.config.text), { event: item.payload, properties: item.payload.properties ?? {}, traits: getPath(item.payload, 'context.traits') ?? {} });
const recipient = (ctx: ConnectorContext, item: EventItem) =>
  isJourney(item) ? item.payload.to : getPath(item.payload, (ctx.config.recipientPath as string | undefined) ?? 'context.traits.lineUserId');
const base = (ctx: ConnectorContext) => (ctx.config.apiBaseUrl as string | undefined) ?? 'https://api.line.me';

async function post(ctx: ConnectorContext, path: string, body: unknown, key: string) {
  const result = await httpAttempt(
    joinUrl(base(ctx), path),
    { method: 'POST', headers: jsonHeaders({ authorization: `Bearer ${ctx.secrets.channelAccessToken}`, 'x-line-retry-key': key }), body: JSON.stringify(body) },
    ctx.now(),
  );
  return result.status === 409 ? { ...result, status: 200, response: `already accepted: ${result.response}` } : result;
}

export const line: Connector = {
  name: 'line',
  kinds: ['events'],
  config: Type.Object({
    text: Type.String({ minLength: 1, description: 'Liquid template of the text message (event, properties, traits)' }),
    mode: Type.Optional(Type.Union([Type.Literal('push'), Type.Literal('broadcast')], { default: 'push' })),
    recipientPath: Type.Optional(Type.String({ description: 'dot path of the LINE user id in the event', default: 'context.traits.lineUserId' })),
    apiBaseUrl: Type.Optional(Type.String({ pattern: '^https?://' })),
  }),
  secrets: Type.Object({ channelAccessToken: Type.String({ minLength: 1 }) }),
  maxBatch: LINE_MULTICAST_MAX,
  batchKey: (ctx, item) => (ctx.config.mode === 'broadcast' ? `broadcast:${item.idempotencyKey}` : text(ctx, item)),
  testConnection: (ctx) => httpAttempt(joinUrl(base(ctx), '/v2/bot/info'), { headers: { authorization: `Bearer ${ctx.secrets.channelAccessToken}` } }, ctx.now()),
  async send(ctx, batch) {
    if (batch.kind !== 'events') throw new Error('line takes events');
    const messages = [{ type: 'text', text: text(ctx, batch.items[0]) }];
    const key = retryKey(batch.items.map((i) => i.idempotencyKey));
    if (ctx.config.mode === 'broadcast') return post(ctx, '/v2/bot/message/broadcast', { messages }, key);
    const to = [...new Set(batch.items.map((i) => recipient(ctx, i)).filter((r): r is string => typeof r === 'string' && r !== ''))];
    if (to.length === 0) return { status: 200, response: '', skipped: 'no LINE user id in the event' };
    if (to.length === 1) return post(ctx, '/v2/bot/message/push', { to: to[0], messages }, key);
    return post(ctx, '/v2/bot/message/multicast', { to, messages }, key);
  },
};
