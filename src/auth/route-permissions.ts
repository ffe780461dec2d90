// THE table of what every route needs. One preHandler (access-hook.ts) enforces it; the server
// refuses to start when a registered route is missing here (checkRoutePermissions), and
// test/access-matrix.test.ts walks every role × every route from it.
//   a permission   — an authenticated caller (session cookie or API key) whose role grants it
//   'signed-in'    — any authenticated caller
//   'collect'      — collection endpoints: the route checks the source write key (or its own signature) itself
//   'public'       — anyone (health, metrics, the console's files, the sign-in form, signed unsubscribe links)
// HEAD routes follow their GET. Keys are `METHOD /pattern` exactly as registered.
import type { Permission } from './permissions.js';

export type RouteAccess = Permission | 'signed-in' | 'collect' | 'public';

export const ROUTE_PERMISSIONS: Record<string, RouteAccess> = {
  // Server, console, docs.
  'GET /healthz': 'public',
  'GET /readyz': 'public',
  'GET /metrics': 'public',
  'GET /openapi.json': 'public',
  'GET /': 'public',
  'GET /assets/*': 'public',

  // Access: sessions, users, roles, API keys, audit.
  'POST /v1/session': 'public',
  'DELETE /v1/session': 'signed-in',
  'GET /v1/me': 'signed-in',
  'POST /v1/me/password': 'signed-in',
  'GET /v1/permissions': 'signed-in',
  'GET /v1/users': 'users:read',
  'POST /v1/users': 'users:write',
  'GET /v1/users/:id': 'users:read',
  'PATCH /v1/users/:id': 'users:write',
  'DELETE /v1/users/:id': 'users:write',
  'GET /v1/roles': 'signed-in',
  'POST /v1/roles': 'roles:write',
  'GET /v1/roles/:name': 'signed-in',
  'PATCH /v1/roles/:name': 'roles:write',
  'DELETE /v1/roles/:name': 'roles:write',
  'GET /v1/api-keys': 'api-keys:read',
  'POST /v1/api-keys': 'api-keys:write',
  'DELETE /v1/api-keys/:id': 'api-keys:write',
  'GET /v1/audit': 'audit:read',
  'GET /v1/audit/export': 'audit:read',
  'GET /v1/audit/verify': 'audit:read',
  'GET /v1/alert-rules': 'audit:read',
  'POST /v1/alert-rules': 'alerts:write',
  'PATCH /v1/alert-rules/:id': 'alerts:write',
  'DELETE /v1/alert-rules/:id': 'alerts:write',
  'GET /v1/alert-rules/signing-secret': 'alerts:write',
  'POST /v1/alert-rules/signing-secret/rotate': 'alerts:write',

  // Collection (write key).
  'POST /v1/track': 'collect',
  'POST /v1/t': 'collect',
  'POST /v1/identify': 'collect',
  'POST /v1/i': 'collect',
  'POST /v1/page': 'collect',
  'POST /v1/p': 'collect',
  'POST /v1/screen': 'collect',
  'POST /v1/s': 'collect',
  'POST /v1/group': 'collect',
  'POST /v1/g': 'collect',
  'POST /v1/alias': 'collect',
  'POST /v1/a': 'collect',
  'POST /v1/batch': 'collect',
  'POST /v1/b': 'collect',
  'POST /beacon/v1/batch': 'collect',
  'GET /v1/projects/:writeKey/settings': 'collect',
  'GET /analytics.js/v1/:writeKey/analytics.min.js': 'collect',
  'GET /analytics-next/bundles/:file': 'public',
  'GET /v3/:build/rsa.min.js': 'public',
  'GET /sourceConfig': 'collect',
  'GET /sourceConfig/': 'collect',
  'POST /v1/webhooks/:sourceId': 'collect',
  'HEAD /v1/webhooks/:sourceId': 'collect',
  // Signed links in emails.
  'GET /v1/unsubscribe': 'public',
  'POST /v1/unsubscribe': 'public',

  // Sources and their connectors.
  'POST /v1/sources': 'sources:write',
  'GET /v1/sources': 'sources:read',
  'GET /v1/sources/:id': 'sources:read',
  'PATCH /v1/sources/:id': 'sources:write',
  'POST /v1/sources/:id/write-keys': 'sources:write',
  'DELETE /v1/sources/:id/write-keys/:keyId': 'sources:write',
  'GET /v1/sources/:id/live': 'events:read',
  'GET /v1/sources/:id/health': 'sources:read',
  'PUT /v1/sources/:id/tracking-plan': 'sources:write',
  'GET /v1/sources/:id/tracking-plan': 'sources:read',
  'DELETE /v1/sources/:id/tracking-plan': 'sources:write',
  'GET /v1/sources/:id/tracking-plan/violations': 'sources:read',
  'GET /v1/sources/:id/tracking-plan/violations/summary': 'sources:read',
  'PUT /v1/sources/:id/webhook': 'sources:write',
  'GET /v1/sources/:id/webhook': 'sources:read',
  'DELETE /v1/sources/:id/webhook': 'sources:write',
  'PUT /v1/sources/:id/transformation': 'sources:write',
  'GET /v1/sources/:id/transformation': 'sources:read',
  'DELETE /v1/sources/:id/transformation': 'sources:write',
  'POST /v1/sources/:id/transformation/test': 'sources:read',
  'PUT /v1/sources/:id/mqtt': 'sources:write',
  'GET /v1/sources/:id/mqtt': 'sources:read',
  'DELETE /v1/sources/:id/mqtt': 'sources:write',
  'PUT /v1/sources/:id/db-sync': 'sources:write',
  'GET /v1/sources/:id/db-sync': 'sources:read',
  'POST /v1/sources/:id/db-sync/run': 'sources:write',
  'DELETE /v1/sources/:id/db-sync': 'sources:write',

  // Events, imports, ad reports.
  'GET /v1/events': 'events:read',
  'GET /v1/failed-events': 'events:read',
  'POST /v1/imports': 'imports:write',
  'GET /v1/imports': 'sources:read',
  'GET /v1/imports/:id': 'sources:read',
  'GET /v1/imports/:id/errors': 'sources:read',
  'POST /v1/ad-reports': 'imports:write',
  'GET /v1/ad-reports/spend': 'analytics:read',
  'GET /v1/ad-reports/campaign-visits': 'analytics:read',

  // Identity and profiles.
  'GET /v1/identity/rules': 'identity:read',
  'PUT /v1/identity/rules': 'identity:write',
  'POST /v1/identity/rebuild': 'identity:write',
  'GET /v1/profiles': 'profiles:read',
  'GET /v1/profiles/:idType/:idValue': 'profiles:read',
  'GET /v1/profiles/:idType/:idValue/events': 'profiles:read',
  'GET /v1/profiles/:idType/:idValue/merges': 'profiles:read',
  'GET /v1/profiles/:idType/:idValue/decisions': 'profiles:read',
  'POST /v1/profiles/:idType/:idValue/unmerge': 'identity:write',
  'GET /v1/computed-traits': 'profiles:read',
  'POST /v1/computed-traits': 'profiles:write',
  'DELETE /v1/computed-traits/:name': 'profiles:write',

  // Segments, tags, RFM.
  'POST /v1/segments': 'segments:write',
  'GET /v1/segments': 'segments:read',
  'POST /v1/segments/preview': 'segments:read',
  'POST /v1/segments/recompute': 'segments:write',
  'GET /v1/segments/:id': 'segments:read',
  'PATCH /v1/segments/:id': 'segments:write',
  'DELETE /v1/segments/:id': 'segments:write',
  'GET /v1/segments/:id/members': 'segments:read',
  'GET /v1/segments/:id/members.csv': 'segments:export',
  'GET /v1/segments/:id/members.ndjson': 'segments:export',
  'GET /v1/segments/:id/history': 'segments:read',
  'GET /v1/segment-memberships/:profileId': 'segments:read',
  'GET /v1/segment-templates': 'segments:read',
  'POST /v1/segments/from-template/:name': 'segments:write',
  'GET /v1/tags': 'segments:read',
  'GET /v1/tags/:tag/profiles': 'segments:read',
  'POST /v1/tags/:tag/profiles': 'segments:write',
  'DELETE /v1/tags/:tag/profiles/:profileId': 'segments:write',
  'POST /v1/tags/:tag/import': 'segments:write',
  'GET /v1/rfm/settings': 'segments:read',
  'PUT /v1/rfm/settings': 'segments:write',
  'POST /v1/rfm/recompute': 'segments:write',
  'GET /v1/rfm/scores/:profileId': 'segments:read',

  // Destinations.
  'POST /v1/destinations': 'destinations:write',
  'GET /v1/destinations': 'destinations:read',
  'GET /v1/destinations/:id': 'destinations:read',
  'PATCH /v1/destinations/:id': 'destinations:write',
  'DELETE /v1/destinations/:id': 'destinations:write',
  'POST /v1/destinations/:id/pause': 'destinations:write',
  'POST /v1/destinations/:id/resume': 'destinations:write',
  'POST /v1/destinations/:id/test': 'destinations:write',
  'POST /v1/destinations/:id/resync': 'destinations:write',
  'GET /v1/destinations/:id/deliveries': 'destinations:read',
  'GET /v1/destinations/:id/dead-letters': 'destinations:read',
  'POST /v1/destinations/:id/dead-letters/delete': 'destinations:write',
  'POST /v1/destinations/:id/dead-letters/replay': 'destinations:write',
  'GET /v1/destinations/:id/stats': 'destinations:read',

  // Pipeline and analytics.
  'GET /v1/pipeline/health': 'pipeline:read',
  'GET /v1/pipeline/failures': 'pipeline:write',
  'POST /v1/pipeline/failures/:id/replay': 'pipeline:write',
  'POST /v1/pipeline/failures/replay': 'pipeline:write',
  'GET /v1/overview': 'analytics:read',
  'GET /v1/analytics/kpis': 'analytics:read',
  'POST /v1/analytics/funnels': 'analytics:read',
  'GET /v1/analytics/retention': 'analytics:read',
  'GET /v1/analytics/payback': 'analytics:read',
  'GET /v1/analytics/paths': 'analytics:read',
  'GET /v1/analytics/web': 'analytics:read',
  'GET /v1/analytics/engagement': 'analytics:read',
  'GET /v1/analytics/roi': 'analytics:read',
  'GET /v1/analytics/rfm-grid': 'analytics:read',
  'GET /v1/analytics/journeys': 'analytics:read',

  // Journeys and coupons.
  'POST /v1/journeys': 'journeys:write',
  'GET /v1/journeys': 'journeys:read',
  'POST /v1/journeys/validate': 'journeys:read',
  'GET /v1/journeys/:id': 'journeys:read',
  'PATCH /v1/journeys/:id': 'journeys:write',
  'DELETE /v1/journeys/:id': 'journeys:write',
  'GET /v1/journeys/:id/versions': 'journeys:read',
  'POST /v1/journeys/:id/activate': 'journeys:activate',
  'POST /v1/journeys/:id/pause': 'journeys:activate',
  'POST /v1/journeys/:id/resume': 'journeys:activate',
  'POST /v1/journeys/:id/archive': 'journeys:write',
  'GET /v1/journeys/:id/stats': 'journeys:read',
  'GET /v1/journeys/:id/enrollments': 'journeys:read',
  'POST /v1/journeys/:id/dry-run': 'journeys:read',
  'POST /v1/journeys/:id/preview': 'journeys:read',
  'GET /v1/journey-templates': 'journeys:read',
  'POST /v1/journey-templates/:template/journeys': 'journeys:write',
  'POST /v1/coupon-pools': 'coupons:write',
  'GET /v1/coupon-pools': 'coupons:read',
  'GET /v1/coupon-pools/:id': 'coupons:read',
  'DELETE /v1/coupon-pools/:id': 'coupons:write',
  'POST /v1/coupon-pools/:id/codes': 'coupons:write',
  'POST /v1/coupon-pools/:id/generate': 'coupons:write',
  'GET /v1/coupon-pools/:id/codes': 'coupons:read',

  // Placements, on-site decisions, app push tokens.
  'GET /v1/placements': 'placements:read',
  'POST /v1/placements': 'placements:write',
  'GET /v1/placements/:id': 'placements:read',
  'PATCH /v1/placements/:id': 'placements:write',
  'DELETE /v1/placements/:id': 'placements:write',
  'POST /v1/decide': 'collect',
  'GET /v1/push-tokens': 'destinations:write',

  // Predictions.
  'POST /v1/predictions/refit': 'predictions:write',
  'GET /v1/predictions/jobs': 'predictions:read',
  'GET /v1/predictions/jobs/:id': 'predictions:read',
  'GET /v1/predictions/models': 'predictions:read',
  'GET /v1/predictions/models/:name': 'predictions:read',
  'GET /v1/profiles/:idType/:idValue/predictions': 'predictions:read',
  'GET /v1/profiles/:idType/:idValue/recommendations': 'predictions:read',

  // Consent and data-subject requests.
  'GET /v1/consent/categories': 'consent:read',
  'POST /v1/consent/categories': 'consent:write',
  'GET /v1/consent/categories/:id': 'consent:read',
  'PATCH /v1/consent/categories/:id': 'consent:write',
  'DELETE /v1/consent/categories/:id': 'consent:write',
  'GET /v1/profiles/:idType/:idValue/consent': 'consent:read',
  'PUT /v1/profiles/:idType/:idValue/consent': 'consent:write',
  'GET /v1/profiles/:idType/:idValue/consent/history': 'consent:read',
  'POST /v1/privacy/requests': 'privacy:write',
  'GET /v1/privacy/requests': 'privacy:read',
  'GET /v1/privacy/requests/:id': 'privacy:read',
  'GET /v1/privacy/requests/:id/export': 'privacy:export',

  // Privacy: classification of personal data, field-encryption keys.
  'GET /v1/privacy/classification': 'privacy:read',
  'PUT /v1/privacy/classification/:field': 'privacy:write',
  'DELETE /v1/privacy/classification/:field': 'privacy:write',
  'GET /v1/privacy/keys': 'privacy:admin',
  'POST /v1/privacy/keys/rotate': 'privacy:admin',
};

/** Reads of personal data the audit log records (who read which profile, who exported which segment). */
export const AUDITED_READS = new Set([
  'GET /v1/profiles/:idType/:idValue',
  'GET /v1/profiles/:idType/:idValue/events',
  'GET /v1/segments/:id/members.csv',
  'GET /v1/segments/:id/members.ndjson',
  'GET /v1/privacy/requests/:id/export',
  'GET /v1/audit/export',
]);

/** Where `GET url` and `HEAD url` (and every other method) look their route up. */
export const routeKey = (method: string, url: string) => `${method === 'HEAD' ? 'GET' : method} ${url}`;

/** Every registered route lacking a table line; the server refuses to start while any is missing. */
export function routesWithoutPermission(routes: readonly { method: string; url: string }[]): string[] {
  const missing = new Set<string>();
  for (const r of routes) {
    const exact = `${r.method} ${r.url}`;
    if (!(exact in ROUTE_PERMISSIONS) && !(routeKey(r.method, r.url) in ROUTE_PERMISSIONS)) missing.add(exact);
  }
  return [...missing];
}

export function accessOf(method: string, url: string): RouteAccess | undefined {
  return ROUTE_PERMISSIONS[`${method} ${url}`] ?? ROUTE_PERMISSIONS[routeKey(method, url)];
}
