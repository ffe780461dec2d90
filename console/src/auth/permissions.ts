// Which console sections and actions the signed-in caller may use, from the permissions GET /v1/me
// returns (the same ones the API checks: the API stays the judge; this only keeps the navigation and
// the buttons to what will work).
import type { MeView, Permission } from '../api/types';

export const SECTIONS = ['overview', 'analytics', 'sources', 'customers', 'segments', 'journeys', 'placements', 'predictions', 'destinations', 'privacy', 'settings'] as const;
export type Section = (typeof SECTIONS)[number];

/** A section shows when the caller has any of its permissions. */
const READ: Record<Section, readonly Permission[]> = {
  overview: ['analytics:read'],
  analytics: ['analytics:read'],
  sources: ['sources:read'],
  customers: ['profiles:read'],
  segments: ['segments:read'],
  predictions: ['predictions:read'],
  journeys: ['journeys:read'],
  placements: ['placements:read'],
  destinations: ['destinations:read'],
  privacy: ['privacy:read', 'consent:write'],
  settings: ['identity:read', 'users:read', 'roles:write', 'api-keys:read', 'audit:read'],
};

/** What each change in the console needs. */
const WRITE = {
  sources: 'sources:write',
  trackingPlans: 'sources:write',
  adReports: 'imports:write',
  imports: 'imports:write',
  transformationTest: 'sources:read',
  segments: 'segments:write',
  destinations: 'destinations:write',
  identityRules: 'identity:write',
  computedTraits: 'profiles:write',
  unmerge: 'identity:write',
  users: 'users:write',
  roles: 'roles:write',
  apiKeys: 'api-keys:write',
  alerts: 'alerts:write',
  journeys: 'journeys:write',
  placements: 'placements:write',
  predictions: 'predictions:write',
  consent: 'consent:write',
  privacyRequests: 'privacy:write',
  privacyExport: 'privacy:admin',
} as const satisfies Record<string, Permission>;
export type Action = keyof typeof WRITE;

export const has = (me: MeView | null | undefined, permission: Permission) => !!me && me.permissions.includes(permission);
export const allowed = (me: MeView | null | undefined, section: Section) => READ[section].some((p) => has(me, p));
export const can = (me: MeView | null | undefined, action: Action) => has(me, WRITE[action]);
