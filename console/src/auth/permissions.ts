// Which console sections each role may use: the same roles the API checks (the API stays the judge;
// this only keeps the navigation to what will work).
import type { Role } from '../api/types';

export const SECTIONS = ['overview', 'analytics', 'sources', 'customers', 'segments', 'journeys', 'placements', 'predictions', 'destinations', 'privacy', 'settings'] as const;
export type Section = (typeof SECTIONS)[number];

const READ: Record<Section, readonly Role[]> = {
  overview: ['admin', 'manager', 'analyst'],
  analytics: ['admin', 'manager', 'analyst'],
  sources: ['admin', 'manager', 'analyst'],
  customers: ['admin', 'manager', 'analyst', 'support'],
  segments: ['admin', 'manager', 'analyst'],
  predictions: ['admin', 'manager', 'analyst'],
  journeys: ['admin', 'manager', 'analyst'],
  placements: ['admin', 'manager', 'analyst'],
  destinations: ['admin', 'manager', 'analyst', 'support'],
  privacy: ['admin', 'manager'],
  settings: ['admin', 'manager', 'analyst'],
};

/** Changes each role may make (mirrors the API's requireRole lists). */
const WRITE = {
  sources: ['admin'],
  trackingPlans: ['admin', 'manager'],
  adReports: ['admin', 'manager'],
  transformationTest: ['admin', 'manager'],
  segments: ['admin', 'manager'],
  predictions: ['admin', 'manager'],
  journeys: ['admin', 'manager'],
  placements: ['admin', 'manager'],
  destinations: ['admin'],
  identityRules: ['admin'],
  unmerge: ['admin'],
  consent: ['admin', 'manager'],
  privacyRequests: ['admin'],
  privacyExport: ['admin'],
} as const satisfies Record<string, readonly Role[]>;
export type Action = keyof typeof WRITE;

export const allowed = (role: Role, section: Section) => READ[section].includes(role);
export const can = (role: Role | undefined, action: Action) => role !== undefined && (WRITE[action] as readonly Role[]).includes(role);
