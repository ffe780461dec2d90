// Email over SMTP with nodemailer. Subject, text and optional HTML are Liquid templates over the
// profile's traits (`profile`), the event (`event`, `properties`, `traits`) and `unsubscribe_url`.
// Every mail carries List-Unsubscribe (+ One-Click, RFC 8058); following the link records an opt-out
// and later sends to that address are skipped.
import { randomBytes } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { Liquid } from 'liquidjs';
import nodemailer, { type Transporter } from 'nodemailer';
import { getPath } from '../event-filter.js';
import type { AttemptResult, Connector, ConnectorContext } from './types.js';

const liquid = new Liquid({ cache: true });
const transports = new Map<string, Transporter>();

function transport(ctx: ConnectorContext): Transporter {
  const key = JSON.stringify([ctx.destinationId, ctx.config.host, ctx.config.port, ctx.config.secure, ctx.secrets.user, ctx.secrets.pass]);
  let t = transports.get(key);
  if (!t) {
    t = nodemailer.createTransport({
      host: String(ctx.config.host),
      port: Number(ctx.config.port),
      secure: Boolean(ctx.config.secure),
      ...(ctx.secrets.user ? { auth: { user: ctx.secrets.user, pass: ctx.secrets.pass ?? '' } } : {}),
      ...(ctx.config.ignoreTLS ? { ignoreTLS: true } : {}),
    });
    transports.set(key, t);
  }
  return t;
}

/** SMTP reply codes as an attempt status: 2xx delivered, 4xx transient (→ 503, retried), 5xx permanent (→ 400, dead). */
function smtpStatus(err: { responseCode?: number; code?: string }): number | null {
  if (!err.responseCode) return null;
  return err.responseCode >= 500 ? 400 : 503;
}

export const smtp: Connector = {
  name: 'smtp',
  kinds: ['events'],
  config: Type.Object({
    host: Type.String(),
    port: Type.Integer({ minimum: 1, maximum: 65535 }),
    secure: Type.Optional(Type.Boolean({ description: 'TLS from the start (port 465)' })),
    ignoreTLS: Type.Optional(Type.Boolean({ description: 'do not upgrade with STARTTLS (local relays)' })),
    from: Type.String({ minLength: 3 }),
    subject: Type.String({ minLength: 1 }),
    text: Type.String({ minLength: 1 }),
    html: Type.Optional(Type.String()),
    unsubscribeBaseUrl: Type.Optional(Type.String({ pattern: '^https?://', description: 'public URL of this Meridian server, for unsubscribe links' })),
    recipientPath: Type.Optional(Type.String({ description: 'dot path of the address in the event; default: the profile email, then context.traits.email' })),
  }),
  secrets: Type.Object({
    user: Type.Optional(Type.String()),
    pass: Type.Optional(Type.String()),
    unsubscribeSigningKey: Type.Optional(Type.String({ minLength: 32, description: 'signs unsubscribe links; generated on create' })),
  }),
  generateSecrets: () => ({ unsubscribeSigningKey: randomBytes(32).toString('base64url') }),
  maxBatch: 1,
  async testConnection(ctx) {
    try {
      await transport(ctx).verify();
      return { status: 200, response: 'SMTP server accepted the connection' };
    } catch (err) {
      return { status: smtpStatus(err as { responseCode?: number }) ?? 503, response: (err as Error).message };
    }
  },
  async send(ctx, batch): Promise<AttemptResult> {
    if (batch.kind !== 'events') throw new Error('smtp takes events');
    const event = batch.items[0].payload;
    if (event.type === 'journey') return sendJourneyMail(ctx, event, batch.items[0].idempotencyKey);
    const profile = typeof event.seq === 'number' ? await ctx.profileTraitsForEvent(event.seq) : {};
    const traits = (getPath(event, 'context.traits') ?? getPath(event, 'traits') ?? {}) as Record<string, unknown>;
    const path = ctx.config.recipientPath as string | undefined;
    const to = path ? getPath(event, path) : (profile.email ?? traits.email);
    if (typeof to !== 'string' || !to.includes('@')) return { status: 200, response: '', skipped: 'no email address' };
    if (await ctx.isOptedOut(to)) return { status: 200, response: '', skipped: 'recipient unsubscribed' };
    const vars = { profile, event, properties: event.properties ?? {}, traits, unsubscribe_url: ctx.unsubscribeUrl(to) };
    return mail(ctx, batch.items[0].idempotencyKey, to, {
      subject: await liquid.parseAndRender(String(ctx.config.subject), vars),
      text: await liquid.parseAndRender(String(ctx.config.text), vars),
      html: ctx.config.html ? await liquid.parseAndRender(String(ctx.config.html), vars) : undefined,
    });
  },
};

/** A journey message arrives rendered (src/journeys: JourneyDelivery): recipient and texts are in the payload. */
async function sendJourneyMail(ctx: ConnectorContext, event: Record<string, unknown>, key: string): Promise<AttemptResult> {
  const to = event.to;
  const message = (event.message ?? {}) as Record<string, string | undefined>;
  if (typeof to !== 'string' || !to.includes('@')) return { status: 200, response: '', skipped: 'no email address' };
  if (await ctx.isOptedOut(to)) return { status: 200, response: '', skipped: 'recipient unsubscribed' };
  return mail(ctx, key, to, { subject: message.subject ?? '', text: message.text ?? '', html: message.html });
}

async function mail(ctx: ConnectorContext, key: string, to: string, m: { subject: string; text: string; html?: string }): Promise<AttemptResult> {
  const unsubscribeUrl = ctx.unsubscribeUrl(to);
  try {
    const info = await transport(ctx).sendMail({
      from: String(ctx.config.from),
      to,
      subject: m.subject,
      text: m.text,
      ...(m.html ? { html: m.html } : {}),
      headers: { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
      list: { unsubscribe: { url: unsubscribeUrl, comment: 'Unsubscribe' } },
      messageId: `<${key.replace(/[^A-Za-z0-9.-]/g, '.')}@meridian>`,
    });
    return { status: 200, response: String(info.response) };
  } catch (err) {
    return { status: smtpStatus(err as { responseCode?: number }), response: (err as Error).message };
  }
}
