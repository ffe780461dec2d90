// Signatures of every webhook Meridian sends (webhook destinations, deletion notices, alert deliveries):
// the receiver proves a request came from this installation and was not replayed. Two headers:
//   X-Meridian-Timestamp: <unix ms>
//   X-Meridian-Signature: v1=<hex HMAC-SHA256(signing secret, "<timestamp>.<raw body>")>
// The receiver recomputes it over the body bytes exactly as received, compares in constant time, and
// refuses a timestamp too far from its clock.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const TIMESTAMP_HEADER = 'x-meridian-timestamp';
export const SIGNATURE_HEADER = 'x-meridian-signature';
/** A signature older (or newer) than this is refused by verifyWebhookSignature: replay protection. */
export const DEFAULT_TOLERANCE_MS = 5 * 60_000;

/** A new signing secret: 32 random bytes, `whsec_` + base64url. */
export const newSigningSecret = () => 'whsec_' + randomBytes(32).toString('base64url');

const mac = (secret: string, timestamp: string, body: string | Buffer) => createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');

/** The X-Meridian-Signature value of `body` sent with X-Meridian-Timestamp `timestamp`. */
export const signWebhook = (secret: string, timestamp: string, body: string | Buffer) => 'v1=' + mac(secret, timestamp, body);

/** Both headers for `body` sent at `nowMs`. */
export function webhookSignatureHeaders(secret: string, body: string | Buffer, nowMs: number): Record<string, string> {
  const timestamp = String(nowMs);
  return { [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: signWebhook(secret, timestamp, body) };
}

/**
 * Whether the headers sign `body` under `secret`, made within `toleranceMs` of `nowMs`. Any comma-separated
 * `v1=` entry may match.
 */
export function verifyWebhookSignature(
  secret: string,
  headers: { timestamp: string | undefined; signature: string | undefined },
  body: string | Buffer,
  nowMs: number,
  toleranceMs = DEFAULT_TOLERANCE_MS,
): boolean {
  const { timestamp, signature } = headers;
  if (!timestamp || !signature || !/^\d+$/.test(timestamp) || Math.abs(nowMs - Number(timestamp)) > toleranceMs) return false;
  const expected = Buffer.from(mac(secret, timestamp, body), 'hex');
  return signature.split(',').some((entry) => {
    const m = /^\s*v1=([0-9a-f]{64})\s*$/.exec(entry);
    return !!m && timingSafeEqual(Buffer.from(m[1], 'hex'), expected);
  });
}
