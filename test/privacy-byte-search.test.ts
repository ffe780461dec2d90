// The byte search that proves an erasure (src/privacy/dsr/byte-search.ts): finds a value anywhere in a
// file, including across the boundary between two chunks it reads, in nested directories, and reports
// how many values each file holds without naming them.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { filesUnder, searchFiles } from '../src/privacy/dsr/byte-search.js';

const dir = mkdtempSync(join(tmpdir(), 'meridian-byte-search-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('byte search for erased values', () => {
  it('finds a value straddling two read chunks, in nested files, and counts values per file', async () => {
    const chunk = 4 << 20;
    const big = Buffer.alloc(chunk + 1000, 0);
    Buffer.from('zoe.quinn@example.com', 'utf8').copy(big, chunk - 7); // across the first chunk's end
    writeFileSync(join(dir, 'big.db'), big);
    mkdirSync(join(dir, 'imports', 'x'), { recursive: true });
    writeFileSync(join(dir, 'imports', 'x', 'a.csv'), 'u-zoe-1,zoe.quinn@example.com\n');
    writeFileSync(join(dir, 'clean.db'), Buffer.alloc(2048, 7));
    const files = await filesUnder(dir);
    expect(files.map((f) => f.slice(dir.length + 1))).toEqual(['big.db', 'clean.db', join('imports', 'x', 'a.csv')]);
    const found = await searchFiles(files, ['zoe.quinn@example.com', 'u-zoe-1', '']);
    expect(found.map((r) => [r.file.slice(dir.length + 1), r.values])).toEqual([
      ['big.db', 1],
      [join('imports', 'x', 'a.csv'), 2],
    ]);
    expect(JSON.stringify(found)).not.toContain('zoe');
  });

  it('finds nothing when no file holds the values, and tolerates a missing directory or no values', async () => {
    expect(await searchFiles(await filesUnder(dir), ['nobody@example.com'])).toEqual([]);
    expect(await searchFiles(await filesUnder(dir), [])).toEqual([]);
    expect(await filesUnder(join(dir, 'missing'))).toEqual([]);
  });
});
