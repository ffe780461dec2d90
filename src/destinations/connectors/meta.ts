// Meta (Facebook/Instagram) Custom Audiences through the Marketing API:
//   POST   /{version}/{audience_id}/users  {payload: {schema, data}}  adds people
//   DELETE /{version}/{audience_id}/users  {payload: {schema, data}}  removes them
//   POST   /{version}/{audience_id}/usersreplace  {session, payload}  replaces the whole member list
// Multi-key rows (EMAIL, PHONE, FN, LN, CT, ST, ZIP, COUNTRY hashed; EXTERN_ID raw), at most 10,000
// rows per request. An upload of more rows is one session: {session_id (int64, unique per ad account),
// batch_seq (from 1), last_batch_flag, estimated_num_total}; usersreplace always takes a session.
// Auth: the access token as a Bearer header.
import { Type } from '@sinclair/typebox';
import { metaValue, type MetaKey } from '../hashing/meta.js';
import type { ProfileIdentifiers } from '../identifiers.js';
import { httpAttempt, joinUrl, jsonHeaders } from '../../shared/http-attempt.js';
import type { Connector, ConnectorContext } from './types.js';

export const META_MAX_ROWS = 10_000;
const SCHEMA: MetaKey[] = ['EMAIL', 'PHONE', 'FN', 'LN', 'CT', 'ST', 'ZIP', 'COUNTRY', 'EXTERN_ID'];

export function metaRow(p: ProfileIdentifiers): string[] {
  const raw: Record<MetaKey, string | undefined> = {
    EMAIL: p.email,
    PHONE: p.phone,
    FN: p.firstName,
    LN: p.lastName,
    CT: p.city,
    ST: p.state,
    ZIP: p.zip,
    COUNTRY: p.country,
    EXTERN_ID: p.profileId,
    MADID: undefined,
  };
  return SCHEMA.map((key) => metaValue(key, raw[key], p.country));
}

const base = (ctx: ConnectorContext) => joinUrl((ctx.config.apiBaseUrl as string | undefined) ?? 'https://graph.facebook.com', `/${(ctx.config.apiVersion as string | undefined) ?? 'v21.0'}`);
const auth = (ctx: ConnectorContext) => jsonHeaders({ authorization: `Bearer ${ctx.secrets.accessToken}` });

export const meta: Connector = {
  name: 'meta',
  kinds: ['audience'],
  config: Type.Object({
    apiBaseUrl: Type.Optional(Type.String({ pattern: '^https?://', default: 'https://graph.facebook.com' })),
    apiVersion: Type.Optional(Type.String({ pattern: '^v\\d+\\.\\d+$', default: 'v21.0' })),
  }),
  secrets: Type.Object({ accessToken: Type.String({ minLength: 1 }) }),
  maxBatch: META_MAX_ROWS,
  maxSessionBatches: 5,
  replace: true,
  testConnection: (ctx) => httpAttempt(`${base(ctx)}/me?fields=id`, { headers: auth(ctx) }, ctx.now()),
  async send(ctx, batch) {
    if (batch.kind !== 'audience') throw new Error('meta takes audience batches');
    if (batch.op === 'replace' && !batch.session) throw new Error('usersreplace needs a session');
    const s = batch.session;
    const body = JSON.stringify({
      ...(s ? { session: { session_id: Number(s.id), batch_seq: s.seq, last_batch_flag: s.seq === s.batches, estimated_num_total: s.total } } : {}),
      payload: { schema: SCHEMA, data: batch.members.map(metaRow) },
    });
    const result = await httpAttempt(
      `${base(ctx)}/${encodeURIComponent(batch.audienceId)}/${batch.op === 'replace' ? 'usersreplace' : 'users'}`,
      { method: batch.op === 'remove' ? 'DELETE' : 'POST', headers: auth(ctx), body },
      ctx.now(),
    );
    // 2650/1870145 "Audience Update In Progress" (a replace still running, e.g. until an abandoned
    // session times out after 90 minutes): Meta says wait and try again, so it is retried, not dead.
    if (result.status === 400 && /"error_subcode"\s*:\s*1870145\b/.test(result.response)) return { ...result, status: 503 };
    return result;
  },
};
