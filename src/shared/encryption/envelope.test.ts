import { describe, expect, it } from 'vitest';
import { keyIdOf, kekIdOf, newDataKey, open, seal, unwrapKey, wrapKey } from './envelope.js';

describe('envelope encryption', () => {
  const key = newDataKey('dek_a');

  it('seals a value under a data key it names, and opens it back', () => {
    const sealed = seal(key, 'jane.doe@gmail.com');
    expect(sealed.startsWith('enc1.dek_a.')).toBe(true);
    expect(sealed).not.toContain('jane');
    expect(keyIdOf(sealed)).toBe('dek_a');
    expect(open(key, sealed)).toBe('jane.doe@gmail.com');
    expect(seal(key, 'x')).not.toBe(seal(key, 'x'));
  });

  it('refuses a tampered value, another key, or a value moved to another key id', () => {
    const sealed = seal(key, 'secret');
    const parts = sealed.split('.');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(() => open(key, parts.join('.'))).toThrow();
    expect(() => open(newDataKey('dek_a'), sealed)).toThrow();
    expect(() => open({ id: 'dek_b', key: key.key }, sealed.replace('dek_a', 'dek_b'))).toThrow();
  });

  it('wraps data keys under a KEK bound to their id', () => {
    const kek = newDataKey('kek').key;
    const wrapped = wrapKey(kek, key);
    expect(unwrapKey(kek, 'dek_a', wrapped).key.equals(key.key)).toBe(true);
    expect(() => unwrapKey(kek, 'dek_b', wrapped)).toThrow();
    expect(() => unwrapKey(newDataKey('other').key, 'dek_a', wrapped)).toThrow();
    expect(kekIdOf(kek)).toMatch(/^[0-9a-f]{16}$/);
    expect(keyIdOf('plain text')).toBeUndefined();
  });
});
