import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadKeks } from './kek.js';

describe('the key-encryption key', () => {
  it('is off without a setting, and read from the variable or a file', () => {
    expect(loadKeks({})).toBeUndefined();
    const fromEnv = loadKeks({ kek: 'ab'.repeat(32) })!;
    const file = join(mkdtempSync(join(tmpdir(), 'kek-')), 'kek');
    writeFileSync(file, 'ab'.repeat(32) + '\n');
    expect(loadKeks({ kekFile: file })!.current.id).toBe(fromEnv.current.id);
  });

  it('refuses both settings, a short key, an unreadable file and a previous key without a new one', () => {
    expect(() => loadKeks({ kek: 'ab'.repeat(32), kekFile: '/x' })).toThrow(/not both/);
    expect(() => loadKeks({ kek: 'ab'.repeat(20) })).toThrow(/MERIDIAN_KEK must be 32 bytes/);
    expect(() => loadKeks({ kekFile: '/nonexistent/kek' })).toThrow(/MERIDIAN_KEK_FILE \/nonexistent\/kek cannot be read/);
    expect(() => loadKeks({ previousKek: 'ab'.repeat(32) })).toThrow(/without MERIDIAN_KEK/);
  });
});
