// Google Ads Customer Match through the REST interface of OfflineUserDataJobService:
//   POST /{version}/customers/{cid}/offlineUserDataJobs:create   {job: {type: CUSTOMER_MATCH_USER_LIST, customerMatchUserListMetadata: {userList}}}
//   POST /{version}/{job resourceName}:addOperations              {operations: [{create|remove: {userIdentifiers}}], enablePartialFailure}
//   POST /{version}/{job resourceName}:run
// Headers: Authorization Bearer (OAuth access token), developer-token, login-customer-id (manager
// account, optional). One job per batch; a batch stays far under the 100,000 identifiers a request
// may carry (≤ 10,000 users × ≤ 2 identifiers).
import { Type } from '@sinclair/typebox';
import { googleHashedEmail, googleHashedPhone } from '../hashing/google.js';
import type { ProfileIdentifiers } from '../identifiers.js';
import { httpAttempt, joinUrl, jsonHeaders } from '../../shared/http-attempt.js';
import type { AttemptResult, Connector, ConnectorContext } from './types.js';

export const GOOGLE_MAX_USERS = 10_000;

type UserIdentifier = { hashedEmail: string } | { hashedPhoneNumber: string };

export function googleIdentifiers(p: ProfileIdentifiers): UserIdentifier[] {
  const ids: UserIdentifier[] = [];
  const email = p.email && googleHashedEmail(p.email);
  if (email) ids.push({ hashedEmail: email });
  const phone = p.phone && googleHashedPhone(p.phone, p.country);
  if (phone) ids.push({ hashedPhoneNumber: phone });
  return ids;
}

const customerId = (ctx: ConnectorContext) => String(ctx.config.customerId).replace(/-/g, '');
const root = (ctx: ConnectorContext) =>
  joinUrl((ctx.config.apiBaseUrl as string | undefined) ?? 'https://googleads.googleapis.com', `/${(ctx.config.apiVersion as string | undefined) ?? 'v19'}`);
function headers(ctx: ConnectorContext) {
  const h: Record<string, string> = jsonHeaders({ authorization: `Bearer ${ctx.secrets.accessToken}`, 'developer-token': ctx.secrets.developerToken });
  if (ctx.config.loginCustomerId) h['login-customer-id'] = String(ctx.config.loginCustomerId).replace(/-/g, '');
  return h;
}
const ok = (r: AttemptResult) => r.status !== null && r.status >= 200 && r.status < 300;

export const googleAds: Connector = {
  name: 'google_ads',
  kinds: ['audience'],
  config: Type.Object({
    customerId: Type.String({ pattern: '^[0-9-]+$' }),
    loginCustomerId: Type.Optional(Type.String({ pattern: '^[0-9-]+$' })),
    apiBaseUrl: Type.Optional(Type.String({ pattern: '^https?://' })),
    apiVersion: Type.Optional(Type.String({ pattern: '^v\\d+$' })),
  }),
  secrets: Type.Object({ accessToken: Type.String({ minLength: 1 }), developerToken: Type.String({ minLength: 1 }) }),
  maxBatch: GOOGLE_MAX_USERS,
  testConnection: (ctx) =>
    httpAttempt(
      `${root(ctx)}/customers/${customerId(ctx)}/googleAds:search`,
      { method: 'POST', headers: headers(ctx), body: JSON.stringify({ query: 'SELECT customer.id FROM customer LIMIT 1' }) },
      ctx.now(),
    ),
  async send(ctx, batch) {
    if (batch.kind !== 'audience' || batch.op === 'replace') throw new Error('google_ads takes audience add and remove batches');
    const operations = batch.members
      .map(googleIdentifiers)
      .filter((ids) => ids.length > 0)
      .map((userIdentifiers) => ({ [batch.op === 'add' ? 'create' : 'remove']: { userIdentifiers } }));
    if (operations.length === 0) return { status: 200, response: '', skipped: 'no member has an email or phone' };
    const cid = customerId(ctx);
    const userList = batch.audienceId.startsWith('customers/') ? batch.audienceId : `customers/${cid}/userLists/${batch.audienceId}`;
    const created = await httpAttempt(
      `${root(ctx)}/customers/${cid}/offlineUserDataJobs:create`,
      { method: 'POST', headers: headers(ctx), body: JSON.stringify({ job: { type: 'CUSTOMER_MATCH_USER_LIST', customerMatchUserListMetadata: { userList } } }) },
      ctx.now(),
    );
    if (!ok(created)) return created;
    const job = (JSON.parse(created.response) as { resourceName: string }).resourceName;
    const added = await httpAttempt(
      `${root(ctx)}/${job}:addOperations`,
      { method: 'POST', headers: headers(ctx), body: JSON.stringify({ operations, enablePartialFailure: true }) },
      ctx.now(),
    );
    if (!ok(added)) return added;
    return httpAttempt(`${root(ctx)}/${job}:run`, { method: 'POST', headers: headers(ctx), body: '{}' }, ctx.now());
  },
};
