// Fake Firebase Cloud Messaging (HTTP v1) with Google's OAuth token endpoint, checking requests as the
// real services do:
//   POST /token  grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer, assertion = a JWT whose RS256
//                signature verifies with the service account's public key, iss = client_email,
//                aud = this token endpoint, scope includes firebase.messaging, exp − iat ≤ 1 h
//   POST /v1/projects/{project}/messages:send  Bearer <issued token>; {message} with exactly one target,
//                notification title/body strings, data values strings and no reserved keys.
// Registered device tokens get messages; unknown well-formed tokens get 404 UNREGISTERED, malformed
// ones 400 INVALID_ARGUMENT (FcmError), as FCM answers.
import { createVerify, randomBytes, type KeyObject } from 'node:crypto';
import { startFake, type FakeRequest, type FakeResponse, type FakeServer } from './fake-server.js';

export const FCM_SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
const TOKEN_FORMAT = /^[A-Za-z0-9_:-]{20,}$/;
const RESERVED_DATA = /^(from|gcm|google.*|message_type)$/i;

export interface FcmMessage {
  token: string;
  notification?: { title?: string; body?: string; image?: string };
  data?: Record<string, string>;
  android?: unknown;
  apns?: unknown;
  webpush?: unknown;
}

export interface FakeFcm extends FakeServer {
  tokenUri: string;
  /** Messages FCM accepted, in order. */
  delivered: FcmMessage[];
  /** How many access tokens were granted so far. */
  grants(): number;
  /** Device tokens that currently belong to an installed app. */
  registered: Set<string>;
  /** Revokes every access token issued so far (the next send with one gets 401). */
  revokeAccessTokens(): void;
}

const googleError = (status: number, statusName: string, message: string, details?: unknown[]): FakeResponse => ({
  status,
  body: { error: { code: status, message, status: statusName, ...(details ? { details } : {}) } },
});
const fcmError = (status: number, statusName: string, errorCode: string, message: string) =>
  googleError(status, statusName, message, [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode }]);
const badRequest = (field: string, description: string) =>
  googleError(400, 'INVALID_ARGUMENT', description, [{ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field, description }] }]);
const oauthError = (error: string, description: string): FakeResponse => ({ status: 400, body: { error, error_description: description } });

export async function startFakeFcm(o: { projectId: string; clientEmail: string; publicKey: KeyObject; now?: () => number }): Promise<FakeFcm> {
  const now = o.now ?? Date.now;
  const issued = new Set<string>();
  const delivered: FcmMessage[] = [];
  const registered = new Set<string>();
  let tokenUri = '';
  let grants = 0;

  function grant(req: FakeRequest): FakeResponse {
    if (!String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')) return oauthError('invalid_request', 'form body expected');
    const form = new URLSearchParams(req.body);
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') return oauthError('unsupported_grant_type', 'Invalid grant_type');
    const parts = (form.get('assertion') ?? '').split('.');
    if (parts.length !== 3) return oauthError('invalid_grant', 'Invalid JWT');
    let header: { alg?: string }, claims: { iss?: string; scope?: string; aud?: string; iat?: number; exp?: number };
    try {
      header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')) as typeof header;
      claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as typeof claims;
    } catch {
      return oauthError('invalid_grant', 'Invalid JWT');
    }
    if (header.alg !== 'RS256') return oauthError('invalid_grant', 'Invalid JWT: alg');
    const ok = createVerify('RSA-SHA256').update(`${parts[0]}.${parts[1]}`).verify(o.publicKey, Buffer.from(parts[2], 'base64url'));
    if (!ok) return oauthError('invalid_grant', 'Invalid JWT Signature.');
    if (claims.iss !== o.clientEmail) return oauthError('invalid_grant', 'Invalid issuer');
    if (claims.aud !== tokenUri) return oauthError('invalid_grant', 'Invalid JWT audience');
    if (!String(claims.scope ?? '').split(' ').includes(FCM_SCOPE)) return oauthError('invalid_scope', 'scope does not allow FCM');
    const nowS = Math.floor(now() / 1000);
    if (typeof claims.iat !== 'number' || typeof claims.exp !== 'number' || claims.exp - claims.iat > 3600 || claims.exp <= nowS || claims.iat > nowS + 300)
      return oauthError('invalid_grant', 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.');
    const token = `ya29.${randomBytes(24).toString('base64url')}`;
    issued.add(token);
    grants++;
    return { status: 200, body: { access_token: token, expires_in: 3599, token_type: 'Bearer' } };
  }

  function send(req: FakeRequest, project: string): FakeResponse {
    const auth = String(req.headers.authorization ?? '');
    if (!auth.startsWith('Bearer ') || !issued.has(auth.slice(7)))
      return googleError(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials. Expected OAuth 2 access token.');
    if (project !== o.projectId) return fcmError(403, 'PERMISSION_DENIED', 'SENDER_ID_MISMATCH', 'Permission denied on project');
    const message = (req.json as { message?: Record<string, unknown> } | undefined)?.message;
    if (!message || typeof message !== 'object') return badRequest('message', 'message is required');
    const targets = ['token', 'topic', 'condition'].filter((k) => message[k] !== undefined);
    if (targets.length !== 1) return badRequest('message', 'exactly one of token, topic or condition must be set');
    const n = message.notification as Record<string, unknown> | undefined;
    if (n !== undefined) for (const k of Object.keys(n)) if (!['title', 'body', 'image'].includes(k) || typeof n[k] !== 'string') return badRequest(`message.notification.${k}`, `Invalid value at 'message.notification.${k}'`);
    const data = message.data as Record<string, unknown> | undefined;
    if (data !== undefined)
      for (const [k, v] of Object.entries(data)) {
        if (typeof v !== 'string') return badRequest(`message.data[0].value`, `Invalid value at 'message.data[0].value' (TYPE_STRING), ${JSON.stringify(v)}`);
        if (RESERVED_DATA.test(k)) return badRequest('message.data', `Invalid data payload key: ${k}`);
      }
    const token = message.token as string;
    if (typeof token !== 'string' || !TOKEN_FORMAT.test(token)) return fcmError(400, 'INVALID_ARGUMENT', 'INVALID_ARGUMENT', 'The registration token is not a valid FCM registration token');
    if (!registered.has(token)) return fcmError(404, 'NOT_FOUND', 'UNREGISTERED', 'Requested entity was not found.');
    delivered.push(message as unknown as FcmMessage);
    return { status: 200, body: { name: `projects/${project}/messages/0:${now()}%${randomBytes(4).toString('hex')}` } };
  }

  const fake = await startFake((req) => {
    if (req.method === 'POST' && req.path === '/token') return grant(req);
    const m = /^\/v1\/projects\/([^/]+)\/messages:send$/.exec(req.path);
    if (req.method === 'POST' && m) return send(req, decodeURIComponent(m[1]));
    return googleError(404, 'NOT_FOUND', 'Not found');
  });
  tokenUri = `${fake.url}/token`;
  return Object.assign(fake, {
    tokenUri,
    delivered,
    registered,
    grants: () => grants,
    revokeAccessTokens: () => issued.clear(),
  });
}
