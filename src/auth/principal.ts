// Who is calling: a signed-in user (session cookie) or an API key, with the permissions and PII
// access level of its role. Set on the request by the access hook (access-hook.ts).
import type { Permission, PiiAccess } from './permissions.js';

export interface Principal {
  kind: 'user' | 'api_key';
  /** The user id, or the API key id (`env` for MERIDIAN_ADMIN_KEY). */
  id: string;
  /** What the audit log shows: `user:<id>` or `key:<id>`. */
  actor: string;
  /** @deprecated the same as `actor`; kept while branches written against API-key-only principals land. */
  keyId: string;
  /** The user's email or the key's name. */
  label: string;
  role: string;
  permissions: ReadonlySet<Permission>;
  piiAccess: PiiAccess;
  /** Cookie sessions only: the session id and the token unsafe requests must echo in X-CSRF-Token. */
  session?: { id: string; csrfToken: string };
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

export const can = (principal: Principal | undefined, permission: Permission) => principal?.permissions.has(permission) ?? false;

/**
 * The PII access of a caller. Requests without a principal (tracking, public routes) never read
 * personal data through the admin API; treat them as `none`.
 */
export const piiAccessOf = (principal: Principal | undefined): PiiAccess => principal?.piiAccess ?? 'none';
