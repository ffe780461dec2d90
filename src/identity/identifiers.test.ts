import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES } from './default-rules.js';
import { extractIdentifiers, normaliseIdentifier } from './identifiers.js';

describe('identifier normalisation', () => {
  it('trims and lower-cases emails and rejects what is not one', () => {
    expect(normaliseIdentifier({ normalise: 'email' }, '  Ana@Example.COM ', 'US')).toBe('ana@example.com');
    expect(normaliseIdentifier({ normalise: 'email' }, 'not an email', 'US')).toBeNull();
  });

  it('writes phone numbers in E.164, using the default country when none is given', () => {
    expect(normaliseIdentifier({ normalise: 'phone' }, '(415) 555-0132', 'US')).toBe('+14155550132');
    expect(normaliseIdentifier({ normalise: 'phone' }, '020 7946 0018', 'GB')).toBe('+442079460018');
    expect(normaliseIdentifier({ normalise: 'phone' }, '+44 20 7946 0018', 'US')).toBe('+442079460018');
    expect(normaliseIdentifier({ normalise: 'phone' }, '12', 'US')).toBeNull();
  });

  it('keeps ids as sent unless asked to trim', () => {
    expect(normaliseIdentifier({ normalise: 'none' }, ' U-1', 'US')).toBe(' U-1');
    expect(normaliseIdentifier({ normalise: 'trim' }, ' U-1 ', 'US')).toBe('U-1');
    expect(normaliseIdentifier({ normalise: 'none' }, 42, 'US')).toBe('42');
  });
});

describe('extractIdentifiers', () => {
  it('reads the configured paths, de-duplicates and orders linking identifiers by priority', () => {
    const { ids, invalid } = extractIdentifiers(
      {
        userId: 'u1',
        anonymousId: 'a1',
        traits: { email: 'A@x.io', phone: 'garbage' },
        context: { traits: { email: 'a@x.io ' }, device: { advertisingId: 'IDFA-1' } },
        properties: { order_id: 'O-9', member_id: 'M-1' },
      },
      DEFAULT_RULES,
    );
    expect(ids.map((i) => i.key)).toEqual(['user_id:u1', 'email:a@x.io', 'member_id:M-1', 'device_id:IDFA-1', 'anonymous_id:a1', 'order_id:O-9']);
    expect(invalid).toEqual([{ type: 'phone', raw: 'garbage' }]);
  });

  it("knows LINE user ids by default, in the spelling the LINE destination reads (context.traits.lineUserId)", () => {
    const { ids } = extractIdentifiers({ anonymousId: 'a1', context: { traits: { lineUserId: 'U4af4980629' } } }, DEFAULT_RULES);
    expect(ids.map((i) => i.key)).toEqual(['line_user_id:U4af4980629', 'anonymous_id:a1']);
  });

  it('treats an alias previousId as the anonymous id being tied to the user', () => {
    const { ids } = extractIdentifiers({ type: 'alias', userId: 'u1', previousId: 'anon-7' }, DEFAULT_RULES);
    expect(ids.map((i) => i.key)).toEqual(['user_id:u1', 'anonymous_id:anon-7']);
  });
});
