// Phone numbers to E.164 (+<country><number>) with libphonenumber, so "(650) 253-1234" in the US and
// "+1 650 253 1234" hash the same. Numbers without a country prefix use the profile's country.
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

export function toE164(raw: string, defaultCountry?: string): string | undefined {
  const country = defaultCountry && /^[a-z]{2}$/i.test(defaultCountry.trim()) ? (defaultCountry.trim().toUpperCase() as CountryCode) : undefined;
  const parsed = parsePhoneNumberFromString(raw.trim().replace(/^00/, '+'), country);
  return parsed && parsed.isPossible() ? parsed.number : undefined;
}
