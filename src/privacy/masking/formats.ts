// How each kind of personal data looks masked: enough for a support agent to recognise the customer
// on the phone (first letters, the mail domain, the phone's country code and last digits), not
// enough to contact them or to join them with another data set.
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { PiiKind } from '../classification/kinds.js';

const stars = (n: number) => '*'.repeat(Math.max(n, 1));

/** `jane.doe@gmail.com` → `j***@gmail.com`. */
export function maskEmail(value: string): string {
  const at = value.lastIndexOf('@');
  if (at <= 0) return maskWord(value);
  return `${value[0]}***${value.slice(at)}`;
}

/**
 * `+886 912 345 678` → `+886 9** *** 678`: the country code, the first national digit and the last
 * three stay, every other digit becomes `*`, in the number's international grouping. A value
 * libphonenumber cannot read keeps only its last three digits.
 */
export function maskPhone(value: string): string {
  const parsed = parsePhoneNumberFromString(value.trim());
  if (parsed) {
    const intl = parsed.formatInternational();
    const cc = `+${parsed.countryCallingCode}`;
    const rest = intl.slice(cc.length);
    const digits = rest.replace(/\D/g, '').length;
    let seen = 0;
    const masked = rest.replace(/\d/g, (d) => {
      seen += 1;
      return seen === 1 || seen > digits - 3 ? d : '*';
    });
    return cc + masked;
  }
  const digits = value.replace(/\D/g, '');
  return digits.length <= 3 ? stars(value.length) : `${stars(digits.length - 3)}${digits.slice(-3)}`;
}

/** `Jane Doe` → `J*** D**`: each word keeps its first letter. */
export function maskName(value: string): string {
  return value.replace(/\S+/gu, maskWord);
}

/** `12 Rue de Rivoli, 75001 Paris` → `** R** d* R*****, ***** P****`: the shape without the content. */
export function maskAddress(value: string): string {
  return value.replace(/\S+/gu, (word) => (/^\d/.test(word) ? word.replace(/\d/g, '*') : maskWord(word)));
}

function maskWord(word: string): string {
  const chars = [...word];
  return chars[0] + '*'.repeat(chars.length - 1);
}

/** A classified value as the masked level shows it; non-strings (numbers, objects) are hidden whole. */
export function maskValue(kind: PiiKind, value: unknown): unknown {
  if (value === null || value === undefined) return value;
  if (typeof value !== 'string') return '***';
  switch (kind) {
    case 'email':
      return maskEmail(value);
    case 'phone':
      return maskPhone(value);
    case 'name':
      return maskName(value);
    case 'address':
      return maskAddress(value);
    default:
      return '***';
  }
}
