// The personal identifiers of a profile that audience platforms match on, read from the profile's
// traits (email, phone, first_name/firstName, last_name/lastName, city, state, zip/postal_code,
// country) and the profile id as the external id. Behind a small interface so identity tables can
// add identifiers (more emails, LINE ids) without touching the connectors.
import type { Db } from '../storage/index.js';
import type { Dialect } from '../storage/index.js';
import { openTraits } from '../shared/encryption/pii-vault.js';

export interface ProfileIdentifiers {
  profileId: string;
  email?: string;
  phone?: string;
  firstName?: string;
  lastName?: string;
  city?: string;
  state?: string;
  zip?: string;
  country?: string;
}

export interface IdentifierSource {
  /** Identifiers of each existing profile; deleted profiles are absent. */
  load(profileIds: string[]): Promise<Map<string, ProfileIdentifiers>>;
}

const first = (traits: Record<string, unknown>, ...names: string[]) => {
  for (const n of names) {
    const v = traits[n];
    if (typeof v === 'string' && v.trim() !== '') return v;
    if (typeof v === 'number') return String(v);
  }
  return undefined;
};

export function identifiersFromTraits(profileId: string, traits: Record<string, unknown>): ProfileIdentifiers {
  const address = (traits.address && typeof traits.address === 'object' ? traits.address : {}) as Record<string, unknown>;
  return {
    profileId,
    email: first(traits, 'email'),
    phone: first(traits, 'phone'),
    firstName: first(traits, 'first_name', 'firstName'),
    lastName: first(traits, 'last_name', 'lastName'),
    city: first(traits, 'city') ?? first(address, 'city'),
    state: first(traits, 'state') ?? first(address, 'state'),
    zip: first(traits, 'zip', 'postal_code', 'postalCode') ?? first(address, 'postal_code', 'postalCode', 'zip'),
    country: first(traits, 'country') ?? first(address, 'country'),
  };
}

export function traitsIdentifierSource(db: Db, dialect: Dialect): IdentifierSource {
  return {
    async load(profileIds) {
      const out = new Map<string, ProfileIdentifiers>();
      for (let i = 0; i < profileIds.length; i += 1000) {
        const rows = await db.selectFrom('profiles').select(['id', 'traits']).where('id', 'in', profileIds.slice(i, i + 1000)).execute();
        for (const r of rows) out.set(r.id, identifiersFromTraits(r.id, await openTraits(dialect, (dialect.parseJson(r.traits) ?? {}) as Record<string, unknown>)));
      }
      return out;
    },
  };
}
