// Signatures of the webhooks Meridian sends (alert deliveries): the receiver proves a request came from
// this installation and was not replayed. Header `X-Meridian-Signature: t=<unix seconds>,v1=<hex>`,
// where v1 = HMAC-SHA256(signing secret, `<t>.<raw body>`). The receiver recomputes it over the body
// bytes exactly as received, compares in constant time, and refuses a timestamp too far from its clock.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-meridian-signature';
/** A signature older (or newer) than this is refused by verifyWebhookSignature: replay protection. */
export const DEFAULT_TOLERANCE_S = 300;

/** A new signing secret: 32 random bytes, `whsec_` + base64url. */
export const newSigningSecret = () => 'whsec_' + randomBytes(32).toString('base64url');

const mac = (secret: string, timestamp: number, body: string | Buffer) => createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');

/** The header value for `body` sent at `nowMs`. */
export function signWebhook(secret: string, body: string | Buffer, nowMs: number): string {
  const t = Math.floor(nowMs / 1000);
  return `t=${t},v1=${mac(secret, t, body)}`;
}

/**
 * Whether `header` is a valid signature of `body` under `secret`, made within `toleranceS` of `nowMs`.
 * Any `v1=` entry may match (several appear while a secret is being rotated).
 */
export function verifyWebhookSignature(secret: string, header: string | undefined, body: string | Buffer, nowMs: number, toleranceS = DEFAULT_TOLERANCE_S): boolean {
  if (!header) return false;
  const parts = header.split(',').map((p) => p.trim().split('=', 2) as [string, string | undefined]);
  const t = Number(parts.find(([k]) => k === 't')?.[1]);
  if (!Number.isSafeInteger(t) || Math.abs(nowMs / 1000 - t) > toleranceS) return false;
  const expected = Buffer.from(mac(secret, t, body), 'hex');
  return parts.some(([k, v]) => {
    if (k !== 'v1' || !v || !/^[0-9a-f]{64}$/.test(v)) return false;
    return timingSafeEqual(Buffer.from(v, 'hex'), expected);
  });
}
