// How much personal data a caller sees: `full`, `masked` or `none`. The users-and-roles capability
// sets `principal.piiAccess` from the caller's role; until a principal carries it, the four API-key
// roles map here (admins and managers run the business, analysts and support agents work with
// masked contacts).
import type { Principal } from '../../auth/index.js';

export const PII_ACCESS = ['full', 'masked', 'none'] as const;
export type PiiAccess = (typeof PII_ACCESS)[number];

const BY_ROLE: Record<string, PiiAccess> = { admin: 'full', manager: 'full', analyst: 'masked', support: 'masked' };

/** An unauthenticated or unknown caller sees nothing. */
export function piiAccessOf(principal: (Principal & { piiAccess?: PiiAccess }) | undefined): PiiAccess {
  if (!principal) return 'none';
  if (principal.piiAccess && (PII_ACCESS as readonly string[]).includes(principal.piiAccess)) return principal.piiAccess;
  return BY_ROLE[principal.role] ?? 'none';
}
