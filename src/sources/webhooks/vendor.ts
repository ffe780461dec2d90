// What every built-in webhook transformation provides: how the vendor signs its deliveries and how
// its payloads become Segment-spec messages. One file per vendor implements it.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { AppError } from '../../shared/errors.js';
import type { VendorApiClient } from './vendor-api.js';

export interface WebhookRequest {
  /** The raw body, exactly as signed by the sender. */
  body: Buffer;
  /** Lower-cased header names (as Node gives them). */
  headers: Record<string, string | string[] | undefined>;
  /** Epoch ms, for timestamped signatures. */
  now: number;
}

export interface VendorTransform {
  vendor: string;
  /** Throws invalid_signature (401) unless the request is signed with `secret`. */
  verify(req: WebhookRequest, secret: string): void;
  /**
   * The messages (with type, messageId, identities, timestamp) for one delivery; [] for deliveries
   * of kinds this transformation does not map (acknowledged, nothing stored). Throws invalid_payload.
   */
  toMessages(payload: unknown, req: WebhookRequest): Record<string, unknown>[];
  /** Deliveries answered 200 before any check (e.g. WooCommerce's unsigned ping on setup). */
  isPing?(req: WebhookRequest): boolean;
  /**
   * Vendors whose deliveries carry ids only: with an API access token configured on the source, a
   * delivery is queued durably (webhook_fetches) and its messages are built from the vendor's API.
   */
  apiFetch?: {
    /** The vendor's id of the delivery (dedupes redeliveries); undefined when it needs no fetch. */
    deliveryId(payload: unknown): string | undefined;
    defaultBaseUrl: string;
    /** Throws VendorApiError (transient: retried later) or AppError invalid_payload (permanent). */
    messages(payload: unknown, api: VendorApiClient): Promise<Record<string, unknown>[]>;
  };
}

export function header(req: WebhookRequest, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

export function requireHeader(req: WebhookRequest, name: string, code: 'invalid_signature' | 'missing_header' = 'invalid_signature'): string {
  const v = header(req, name);
  if (!v) throw new AppError(code, code === 'invalid_signature' ? 401 : 400, `the ${name} header is missing`);
  return v;
}

/** Base64 (or hex) HMAC of `data` with `secret`. */
export const hmac = (algorithm: 'sha1' | 'sha256', secret: string, data: Buffer | string, encoding: 'base64' | 'hex' = 'base64') =>
  createHmac(algorithm, secret).update(data).digest(encoding);

/** Constant-time comparison of a received signature with the expected one; throws invalid_signature. */
export function checkSignature(received: string, expected: string, vendor: string): void {
  const a = Buffer.from(received.trim());
  const b = Buffer.from(expected);
  if (a.length !== b.length || !timingSafeEqual(a, b))
    throw new AppError('invalid_signature', 401, `the ${vendor} signature does not match the body signed with this source's secret`);
}
