// Normalisation + hashing vectors per platform. Expected digests were computed independently with
// coreutils (`printf '%s' <normalised> | sha256sum`); "abc" is the FIPS 180-2 test vector.
import { describe, expect, it } from 'vitest';
import { metaRow } from '../connectors/meta.js';
import { googleIdentifiers } from '../connectors/google-ads.js';
import { googleHashedEmail, googleHashedPhone, googleNormaliseEmail } from './google.js';
import { metaNormalise, metaValue } from './meta.js';
import { sha256Hex } from './sha256.js';
import { toE164 } from './phone.js';

const H = {
  john: '62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f', // john_smith@gmail.com
  phoneDigits: 'e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176', // 16505551212
  janeGmail: 'd6117306485ed0e50afab3ac871e98f81699151f30281527d63ff5f233656c69', // janedoe@gmail.com
  e164: 'e101d1333c2310c83a1f96c4e0c12aa18b151ee0baaa2db3998ee3797d74b685', // +16502531234
  janeExample: '86e0b9e56c17cc4d12387e1949b85053fbe73bc3ce5a1188713a9d300cc6133d', // jane.doe@example.com
  mary: '6915771be1c5aa0c886870b6951b03d7eafc121fea0e80a5ea83beb7c449f4ec',
  paris: '1670f2e42fefa5044d59a65349e47c566009488fc57d7b4376dd5787b59e3c57',
  zip: '1b10e5e0b47cefad5c4f6c1d10b8b6fbbd5af9756eb01ed5c8ee1f588b65947b', // 94043
  us: '79adb2a2fce5c6ba215fe5f27f532d4e7edbac4b6a5e09e1ef3a08084a904621',
};

describe('sha256', () => {
  it('matches the FIPS 180-2 vector', () => expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'));
});

describe('Meta normalisation', () => {
  it('trims and lowercases emails before hashing', () => expect(metaValue('EMAIL', '  John_Smith@Gmail.com ')).toBe(H.john));
  it('reduces phones to digits with the country code and no "+" or leading zeros', () => {
    expect(metaNormalise.PHONE('+1 (650) 555-1212')).toBe('16505551212');
    expect(metaNormalise.PHONE('(650) 555-1212', 'US')).toBe('16505551212');
    expect(metaNormalise.PHONE('001 650 555 1212')).toBe('16505551212');
    expect(metaValue('PHONE', '+1 (650) 555-1212')).toBe(H.phoneDigits);
  });
  it('keeps only letters of names and cities', () => {
    expect(metaNormalise.FN(" Mary-Ann O'Neil ")).toBe('maryannoneil');
    expect(metaNormalise.FN('Élodie')).toBe('élodie');
    expect(metaValue('FN', 'Mary.')).toBe(H.mary);
    expect(metaValue('CT', ' Paris ')).toBe(H.paris);
  });
  it('cuts US zip codes to 5 digits and lowercases countries', () => {
    expect(metaValue('ZIP', '94043-1351', 'US')).toBe(H.zip);
    expect(metaNormalise.ZIP('SW1A 1AA', 'GB')).toBe('sw1a1aa');
    expect(metaValue('COUNTRY', 'US')).toBe(H.us);
    expect(metaValue('COUNTRY', 'United States')).toBe('');
  });
  it('sends EXTERN_ID unhashed and missing values as empty strings', () => {
    expect(metaValue('EXTERN_ID', 'prof_1')).toBe('prof_1');
    expect(metaValue('LN', undefined)).toBe('');
  });
  it('builds multi-key rows in schema order', () => {
    expect(metaRow({ profileId: 'p1', email: 'John_Smith@gmail.com', phone: '+1 650 555 1212', country: 'us', zip: '94043' })).toEqual([
      H.john, H.phoneDigits, '', '', '', '', H.zip, H.us, 'p1',
    ]);
  });
});

describe('Google Customer Match normalisation', () => {
  it('removes dots before @gmail.com and @googlemail.com only', () => {
    expect(googleNormaliseEmail(' Jane.Doe@Gmail.com')).toBe('janedoe@gmail.com');
    expect(googleNormaliseEmail('jane.doe@googlemail.com')).toBe('janedoe@googlemail.com');
    expect(googleHashedEmail('Jane.Doe@gmail.com')).toBe(H.janeGmail);
    expect(googleHashedEmail('Jane.Doe@example.com')).toBe(H.janeExample);
  });
  it('hashes phone numbers in E.164 with the plus sign', () => {
    expect(toE164('(650) 253-1234', 'US')).toBe('+16502531234');
    expect(toE164('+44 20 7946 0958')).toBe('+442079460958');
    expect(googleHashedPhone('650-253-1234', 'us')).toBe(H.e164);
    expect(googleHashedPhone('12')).toBeUndefined();
  });
  it('makes one UserIdentifier per identifier', () => {
    expect(googleIdentifiers({ profileId: 'p', email: 'Jane.Doe@gmail.com', phone: '+16502531234' })).toEqual([{ hashedEmail: H.janeGmail }, { hashedPhoneNumber: H.e164 }]);
  });
});
