// What kind of personal data a field holds decides how it is masked: an email keeps its first letter
// and domain, a phone its country code and last digits, a name its initials; any other classified
// field (`pii`) is hidden whole.
import { Type, type Static } from '@sinclair/typebox';

export const PII_KINDS = ['email', 'phone', 'name', 'address', 'pii'] as const;
export const PiiKind = Type.Union(PII_KINDS.map((k) => Type.Literal(k)), { description: 'email | phone | name | address | pii (any other personal data)' });
export type PiiKind = Static<typeof PiiKind>;

/**
 * Well-known trait names and identifier types, classified without any setup. Keys are compared in a
 * normal form (lower case, `_`/`-`/spaces removed), so `firstName`, `first_name` and `First Name` match.
 */
export const DEFAULT_CLASSIFICATION: Readonly<Record<string, PiiKind>> = {
  email: 'email',
  emailaddress: 'email',
  phone: 'phone',
  phonenumber: 'phone',
  mobile: 'phone',
  mobilephone: 'phone',
  name: 'name',
  firstname: 'name',
  lastname: 'name',
  fullname: 'name',
  displayname: 'name',
  address: 'address',
  street: 'address',
  streetaddress: 'address',
  addressline1: 'address',
  addressline2: 'address',
  postalcode: 'pii',
  zipcode: 'pii',
  birthday: 'pii',
  dateofbirth: 'pii',
  ip: 'pii',
};

export const normalField = (field: string) => field.toLowerCase().replace(/[\s_-]/g, '');
