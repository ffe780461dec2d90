// Firebase Cloud Messaging (HTTP v1): app push to every device of the profile an event (or a journey
// send) is for.
//   POST {apiBaseUrl}/v1/projects/{project_id}/messages:send
//        {message: {token, notification: {title, body, image?}, data?, android?, apns?, webpush?}}
// Auth: an OAuth 2.0 access token from the service account (google-oauth.ts, scope firebase.messaging).
// Recipients: the profile's device tokens (push-tokens.ts; collected from context.device.token and
// identify traits) plus the token on the event itself. FCM sends to one token per request and has no
// idempotency key, so each token a delivery reached is recorded and a retry skips it. A token FCM
// reports dead (404 UNREGISTERED, or 400 with FcmError INVALID_ARGUMENT — an invalid registration
// token, as opposed to a google.rpc.BadRequest about the message) is removed from the store.
// 429 and 5xx stop the attempt and are retried by the outbox, honouring Retry-After.
import { Type } from '@sinclair/typebox';
import { Liquid } from 'liquidjs';
import { getPath } from '../event-filter.js';
import { AccessTokens, GOOGLE_TOKEN_URI, parseServiceAccount, type ServiceAccount } from './google-oauth.js';
import { httpAttempt, joinUrl, jsonHeaders } from '../../shared/http-attempt.js';
import type { AttemptResult, Connector, ConnectorContext, EventItem } from './types.js';

export const FCM_SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
const FCM_ERROR = 'type.googleapis.com/google.firebase.fcm.v1.FcmError';
const DEFAULT_MAX_DEVICES = 10;
const liquid = new Liquid({ cache: true });
const tokens = new AccessTokens();

const base = (ctx: ConnectorContext) => (ctx.config.apiBaseUrl as string | undefined) ?? 'https://fcm.googleapis.com';

interface Account {
  sa: ServiceAccount;
  projectId: string;
  tokenUri: string;
}

function account(ctx: ConnectorContext): Account | string {
  const sa = parseServiceAccount(ctx.secrets.serviceAccount);
  if (typeof sa === 'string') return sa;
  const projectId = (ctx.config.projectId as string | undefined) ?? sa.project_id;
  if (!projectId) return 'no projectId: set it in the configuration or use a service account file with project_id';
  return { sa, projectId, tokenUri: (ctx.config.tokenUri as string | undefined) ?? sa.token_uri ?? GOOGLE_TOKEN_URI };
}

/** FCM's error code of a failed send (FcmError.errorCode), when the answer carries one. */
export function fcmErrorCode(response: string): string | undefined {
  try {
    const details = (JSON.parse(response) as { error?: { details?: { '@type'?: string; errorCode?: string }[] } }).error?.details ?? [];
    return details.find((d) => d['@type'] === FCM_ERROR)?.errorCode;
  } catch {
    return undefined;
  }
}

/** The token itself is dead: remove it and do not retry (the rest of the delivery goes on). */
export function isDeadToken(status: number | null, response: string): boolean {
  const code = fcmErrorCode(response);
  return (status === 404 && code === 'UNREGISTERED') || (status === 400 && code === 'INVALID_ARGUMENT');
}

type Vars = Record<string, unknown>;
const render = (template: unknown, vars: Vars) => liquid.parseAndRenderSync(String(template), vars);

/**
 * The message for one device (pure given the variables). A journey send (`type: "journey"`) arrives
 * already rendered: its `message.title` / `message.body` win and its `data.*` keys become data.
 */
export function buildMessage(config: Record<string, unknown>, token: string, vars: Vars, rendered?: Record<string, string>): Record<string, unknown> {
  if (rendered) {
    const data = Object.fromEntries(Object.entries(rendered).filter(([k]) => k.startsWith('data.')).map(([k, v]) => [k.slice(5), v]));
    const notification: Record<string, string> = { title: rendered.title ?? render(config.title, vars), body: rendered.body ?? rendered.text ?? render(config.body, vars) };
    const message: Record<string, unknown> = { token, notification };
    if (Object.keys(data).length > 0) message.data = data;
    for (const k of ['android', 'apns', 'webpush'] as const) if (config[k]) message[k] = config[k];
    return message;
  }
  const notification: Record<string, string> = { title: render(config.title, vars), body: render(config.body, vars) };
  if (config.image) notification.image = render(config.image, vars);
  const message: Record<string, unknown> = { token, notification };
  const data = config.data as Record<string, string> | undefined;
  // FCM data values must be strings.
  if (data && Object.keys(data).length > 0) message.data = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, render(v, vars)]));
  for (const k of ['android', 'apns', 'webpush'] as const) if (config[k]) message[k] = config[k];
  return message;
}

async function recipients(ctx: ConnectorContext, item: EventItem): Promise<string[] | null> {
  const event = item.payload;
  const own = getPath(event, (ctx.config.tokenPath as string | undefined) ?? 'context.device.token');
  const stored = await ctx.push.tokens({ seq: typeof event.seq === 'number' ? event.seq : undefined, profileId: typeof event.profileId === 'string' ? event.profileId : undefined });
  if (stored === null) return null;
  const carried = Array.isArray(event.tokens) ? event.tokens.filter((t): t is string => typeof t === 'string' && t !== '') : [];
  const all = [...(typeof own === 'string' && own !== '' ? [own] : []), ...carried, ...stored];
  return [...new Set(all)].slice(0, (ctx.config.maxDevices as number | undefined) ?? DEFAULT_MAX_DEVICES);
}

async function sendOne(ctx: ConnectorContext, acct: Account, message: Record<string, unknown>): Promise<AttemptResult> {
  const url = joinUrl(base(ctx), `/v1/projects/${encodeURIComponent(acct.projectId)}/messages:send`);
  for (let attempt = 0; ; attempt++) {
    const t = await tokens.get(acct.sa, FCM_SCOPE, acct.tokenUri, ctx.now());
    if ('failed' in t) return t.failed;
    const result = await httpAttempt(url, { method: 'POST', headers: jsonHeaders({ authorization: `Bearer ${t.token}` }), body: JSON.stringify({ message }) }, ctx.now());
    // A revoked or early-expired access token: fetch a new one once.
    if (result.status === 401 && attempt === 0) {
      tokens.invalidate(acct.sa, FCM_SCOPE, acct.tokenUri);
      continue;
    }
    return result;
  }
}

export const fcm: Connector = {
  name: 'fcm',
  kinds: ['events'],
  config: Type.Object({
    projectId: Type.Optional(Type.String({ minLength: 1, description: 'Firebase project id; default: project_id of the service account' })),
    title: Type.String({ minLength: 1, description: 'Liquid template of the notification title (profile, event, properties, traits)' }),
    body: Type.String({ minLength: 1, description: 'Liquid template of the notification body' }),
    image: Type.Optional(Type.String({ description: 'Liquid template of an image URL' })),
    data: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'key → Liquid template; delivered to the app as string data' })),
    android: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'AndroidConfig, passed as is (e.g. {"priority": "high", "ttl": "3600s"})' })),
    apns: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'ApnsConfig, passed as is' })),
    webpush: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'WebpushConfig, passed as is' })),
    tokenPath: Type.Optional(Type.String({ description: 'dot path of a device token in the event (default context.device.token)' })),
    maxDevices: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: DEFAULT_MAX_DEVICES, description: 'most devices of one profile a message goes to (newest first)' })),
    tokenUri: Type.Optional(Type.String({ pattern: '^https?://', description: 'OAuth token endpoint; default: token_uri of the service account' })),
    apiBaseUrl: Type.Optional(Type.String({ pattern: '^https?://' })),
  }),
  secrets: Type.Object({ serviceAccount: Type.String({ minLength: 2, description: 'the service account key file (JSON) with client_email and private_key' }) }),
  maxBatch: 1,
  async testConnection(ctx) {
    const acct = account(ctx);
    if (typeof acct === 'string') return { status: 400, response: acct };
    const t = await tokens.get(acct.sa, FCM_SCOPE, acct.tokenUri, ctx.now());
    return 'failed' in t ? t.failed : { status: 200, response: `access token granted to ${acct.sa.client_email} for project ${acct.projectId}` };
  },
  async send(ctx, batch) {
    if (batch.kind !== 'events') throw new Error('fcm takes events');
    const acct = account(ctx);
    if (typeof acct === 'string') return { status: 400, response: acct };
    const item = batch.items[0];
    const devices = await recipients(ctx, item);
    // Forwarding does not wait for identity; the profile's devices are known once it has caught up.
    if (devices === null) return { status: 503, response: 'the event is not attributed to a profile yet (identity is behind); retried' };
    if (devices.length === 0) return { status: 200, response: '', skipped: 'no device token for this profile' };
    const event = item.payload;
    const profile = typeof event.seq === 'number' ? await ctx.profileTraitsForEvent(event.seq) : ((event.traits as Vars | undefined) ?? {});
    const vars = { profile, event, properties: event.properties ?? {}, traits: getPath(event, 'context.traits') ?? getPath(event, 'traits') ?? {} };
    const done = await ctx.push.sent(item.idempotencyKey);
    let sent = 0;
    const dropped: string[] = [];
    for (const token of devices) {
      if (done.has(token)) continue;
      const result = await sendOne(ctx, acct, buildMessage(ctx.config, token, vars, event.type === 'journey' ? (event.message as Record<string, string>) : undefined));
      if (result.status !== null && result.status >= 200 && result.status < 300) {
        await ctx.push.markSent(item.idempotencyKey, token);
        sent++;
      } else if (isDeadToken(result.status, result.response)) {
        await ctx.push.drop(token);
        dropped.push(token);
      } else {
        // Retryable (429, 5xx, network) or a broken message/configuration: the outbox decides; devices
        // already reached are not sent to again.
        return result;
      }
    }
    const note = dropped.length ? `; removed ${dropped.length} invalid device token(s)` : '';
    if (sent === 0 && done.size === 0) return { status: 200, response: `no valid device token${note}`, skipped: 'every device token was invalid' };
    return { status: 200, response: `sent to ${sent + done.size} device(s)${note}` };
  },
};
