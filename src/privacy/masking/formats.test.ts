import { describe, expect, it } from 'vitest';
import { maskAddress, maskEmail, maskName, maskPhone } from './formats.js';
import { maskerFor } from './mask-tree.js';
import { Classifier } from '../classification/classifier.js';

describe('masking formats', () => {
  it('keeps the first letter and the domain of an email', () => {
    expect(maskEmail('jane.doe@gmail.com')).toBe('j***@gmail.com');
    expect(maskEmail('not-an-email')).toBe('n***********');
  });
  it('keeps the country code, the first national digit and the last three digits of a phone', () => {
    expect(maskPhone('+886912345678')).toBe('+886 9** *** 678');
    expect(maskPhone('+1 415 555 0132')).toBe('+1 4** *** *132');
    expect(maskPhone('0912345678')).toBe('*******678');
  });
  it('keeps the initials of a name and the shape of an address', () => {
    expect(maskName('Jane Doe')).toBe('J*** D**');
    expect(maskName('王小明')).toBe('王**');
    expect(maskAddress('12 Rue de Rivoli')).toBe('** R** d* R*****');
  });
});

describe('maskerFor', () => {
  const classifier = new Classifier({ loyalty_id: 'pii', name: 'none' });
  const profile = { traits: { email: { value: 'a@b.co', source: 's' }, name: { value: 'Ann' }, loyaltyId: { value: 7 } }, identities: [{ type: 'email', value: 'a@b.co' }, { type: 'user_id', value: 'u1' }] };

  it('masks classified traits and identifiers, honouring overrides (name declassified, loyalty_id custom)', () => {
    expect(maskerFor(classifier, 'masked')(profile)).toEqual({
      traits: { email: { value: 'a***@b.co', source: 's' }, name: { value: 'Ann' }, loyaltyId: { value: '***' } },
      identities: [{ type: 'email', value: 'a***@b.co' }, { type: 'user_id', value: 'u1' }],
    });
  });
  it('removes them for no access and returns the data untouched for full access', () => {
    expect(maskerFor(classifier, 'none')(profile)).toEqual({ traits: { name: { value: 'Ann' } }, identities: [{ type: 'user_id', value: 'u1' }] });
    expect(maskerFor(classifier, 'full')(profile)).toBe(profile);
  });
});
