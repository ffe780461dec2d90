// Google OAuth 2.0 for service accounts (the JWT bearer grant, RFC 7523): a JWT signed RS256 with the
// service account's private key — iss = client_email, scope, aud = token_uri, iat, exp ≤ 1 h — is
// exchanged at token_uri for an access token, which is cached until shortly before it expires.
import { createSign } from 'node:crypto';
import type { AttemptResult } from './types.js';
import { httpAttempt } from '../../shared/http-attempt.js';

export const GOOGLE_TOKEN_URI = 'https://oauth2.googleapis.com/token';
export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const LIFETIME_S = 3600;
/** Refresh this long before the stated expiry, so a token never expires in flight. */
const EARLY_MS = 60_000;

export interface ServiceAccount {
  project_id?: string;
  private_key_id?: string;
  private_key: string;
  client_email: string;
  token_uri?: string;
}

/** The service account JSON as downloaded from the Google Cloud console, or an explanation of what is wrong. */
export function parseServiceAccount(json: string | undefined): ServiceAccount | string {
  let v: unknown;
  try {
    v = JSON.parse(json ?? '');
  } catch {
    return 'the service account is not JSON (paste the key file downloaded from the Google Cloud console)';
  }
  const sa = v as Partial<ServiceAccount> & { type?: string };
  if (!sa || typeof sa !== 'object') return 'the service account must be a JSON object';
  if (typeof sa.client_email !== 'string' || !sa.client_email.includes('@')) return 'the service account has no client_email';
  if (typeof sa.private_key !== 'string' || !sa.private_key.includes('PRIVATE KEY')) return 'the service account has no PEM private_key';
  return sa as ServiceAccount;
}

const b64url = (v: string | Buffer) => Buffer.from(v).toString('base64url');

/** The signed assertion of the JWT bearer grant (pure given the time). */
export function signAssertion(sa: ServiceAccount, scope: string, audience: string, nowMs: number): string {
  const iat = Math.floor(nowMs / 1000);
  const header = { alg: 'RS256', typ: 'JWT', ...(sa.private_key_id ? { kid: sa.private_key_id } : {}) };
  const claims = { iss: sa.client_email, scope, aud: audience, iat, exp: iat + LIFETIME_S };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  const signature = createSign('RSA-SHA256').update(input).sign(sa.private_key);
  return `${input}.${b64url(signature)}`;
}

interface Cached {
  token: string;
  expiresAt: number;
}

/** Access tokens per (service account, scope, token endpoint), shared by the destinations using them. */
export class AccessTokens {
  private readonly cache = new Map<string, Cached>();

  /** A valid access token, or the failed token request as an attempt result (retried or dead like a send). */
  async get(sa: ServiceAccount, scope: string, tokenUri: string, nowMs: number): Promise<{ token: string } | { failed: AttemptResult }> {
    const key = JSON.stringify([sa.client_email, sa.private_key_id ?? '', scope, tokenUri]);
    const hit = this.cache.get(key);
    if (hit && hit.expiresAt > nowMs) return { token: hit.token };
    let assertion: string;
    try {
      assertion = signAssertion(sa, scope, tokenUri, nowMs);
    } catch (err) {
      return { failed: { status: 400, response: `cannot sign with the service account's private_key: ${(err as Error).message}` } };
    }
    const result = await httpAttempt(
      tokenUri,
      { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: JWT_BEARER_GRANT, assertion }).toString() },
      nowMs,
    );
    if (result.status === null || result.status < 200 || result.status >= 300) return { failed: { ...result, response: `token request failed: ${result.response}` } };
    let body: { access_token?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(result.response) as typeof body;
    } catch {
      return { failed: { status: 502, response: `token endpoint answered without JSON: ${result.response}` } };
    }
    if (typeof body.access_token !== 'string') return { failed: { status: 502, response: `token endpoint answered without access_token: ${result.response}` } };
    const expiresIn = typeof body.expires_in === 'number' ? body.expires_in : LIFETIME_S;
    this.cache.set(key, { token: body.access_token, expiresAt: nowMs + expiresIn * 1000 - EARLY_MS });
    return { token: body.access_token };
  }

  /** Forgets a token the API rejected (revoked or expired early). */
  invalidate(sa: ServiceAccount, scope: string, tokenUri: string): void {
    this.cache.delete(JSON.stringify([sa.client_email, sa.private_key_id ?? '', scope, tokenUri]));
  }
}
