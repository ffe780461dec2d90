// Turns what a support agent types (an email, a phone number as written, an order id) into the graph
// key it is stored under, using the same normalisation as resolution.
import { AppError } from '../shared/errors.js';
import { identifierKey, normaliseIdentifier } from './identifiers.js';
import type { IdentityRules } from './schema.js';

export function lookupKey(rules: IdentityRules, type: string, raw: string): string {
  const rule = rules.identifiers.find((r) => r.type === type);
  if (!rule)
    throw new AppError('unknown_identifier_type', 404, `no identifier type "${type}" in the identity rules`, {
      known: rules.identifiers.map((r) => r.type),
    });
  const value = normaliseIdentifier(rule, raw, rules.defaultCountry);
  if (value === null) throw new AppError('invalid_identifier', 400, `"${raw}" is not a valid ${type}`, { type });
  return identifierKey(type, value);
}
