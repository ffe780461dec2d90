// Google Ads Customer Match normalisation (UserIdentifier / "Prepare data"): emails trimmed and
// lowercased, with the dots before @gmail.com / @googlemail.com removed; phone numbers in E.164 with
// the leading "+"; names lowercased without surrounding whitespace. Then SHA-256, lowercase hex.
import { sha256Hex } from './sha256.js';
import { toE164 } from './phone.js';

export function googleNormaliseEmail(raw: string): string | undefined {
  const email = raw.trim().toLowerCase();
  const at = email.lastIndexOf('@');
  if (at <= 0) return undefined;
  const [local, domain] = [email.slice(0, at), email.slice(at + 1)];
  if (domain === 'gmail.com' || domain === 'googlemail.com') return `${local.replace(/\./g, '')}@${domain}`;
  return email;
}

export const googleHashedEmail = (raw: string) => {
  const n = googleNormaliseEmail(raw);
  return n === undefined ? undefined : sha256Hex(n);
};

export const googleHashedPhone = (raw: string, country?: string) => {
  const e164 = toE164(raw, country);
  return e164 === undefined ? undefined : sha256Hex(e164);
};
