// A webhook receiver that verifies Meridian's signature (HMAC-SHA256 over "<timestamp>.<body>") the
// way a customer's endpoint would, with a 5-minute freshness window, and rejects bad ones with 401.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { startFake, type FakeServer } from './fake-server.js';

export function verifySignature(secret: string, timestamp: string, body: string, signature: string): boolean {
  const expected = Buffer.from('v1=' + createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex'));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export function startFakeWebhook(secret: string, opts: { delayMs?: number } = {}): Promise<FakeServer> {
  return startFake((req) => {
    if (req.method !== 'POST' || req.headers['content-type'] !== 'application/json') return { status: 415, body: { error: 'json only' } };
    const ts = String(req.headers['x-meridian-timestamp'] ?? '');
    const sig = String(req.headers['x-meridian-signature'] ?? '');
    if (Math.abs(Date.now() - Number(ts)) > 5 * 60_000 || !verifySignature(secret, ts, req.body, sig)) return { status: 401, body: { error: 'bad signature' } };
    return { status: 200, body: { ok: true } };
  }, opts);
}
