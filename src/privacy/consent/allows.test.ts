import { describe, expect, it } from 'vitest';
import { consentAllows, eventPreferences, foldPreferences } from './allows.js';

describe('the consent decision', () => {
  it('refuses only a category stated false, matching category ids case-insensitively', () => {
    expect(consentAllows({ Advertising: false }, 'advertising')).toBe(false);
    expect(consentAllows({ Advertising: false }, 'analytics')).toBe(true);
    expect(consentAllows({ advertising: 'no' }, 'advertising')).toBe(true);
    expect(consentAllows(undefined, 'advertising')).toBe(true);
    expect(consentAllows({ advertising: false }, null)).toBe(true);
  });

  it('reads statements in order: the first that states the category decides', () => {
    expect(consentAllows([{ marketing: true }, { marketing: false }], 'marketing')).toBe(true);
    expect(consentAllows([{}, { marketing: false }], 'marketing')).toBe(false);
    expect(consentAllows([undefined, undefined], 'marketing')).toBe(true);
  });

  it('always allows a required category', () => {
    expect(consentAllows({ Necessary: false }, 'necessary', { required: new Set(['necessary']) })).toBe(true);
  });

  it('folds statements, later ones winning per category; ignores empty consent objects', () => {
    expect(foldPreferences([{ Advertising: false, analytics: true }, { advertising: true }])).toEqual({ advertising: true, analytics: true });
    expect(eventPreferences({ context: { consent: { categoryPreferences: {} } } })).toBeUndefined();
    expect(eventPreferences({ context: { consent: { categoryPreferences: { ads: false } } } })).toEqual({ ads: false });
  });
});
