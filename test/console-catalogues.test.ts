// The console's message catalogues: every key in all three languages, no empty message, and every
// key the code names literally exists (a missing key would show its raw name to the user).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const LOCALES = ['en', 'zh-CN', 'zh-TW'];
const dir = new URL('../console/src/', import.meta.url).pathname;
const serverDir = new URL('../src/', import.meta.url).pathname;
const areaFiles = (code: string) => readdirSync(join(dir, 'locales', code)).filter((f) => f.endsWith('.json')).sort();
const readArea = (code: string, file: string) => JSON.parse(readFileSync(join(dir, 'locales', code, file), 'utf8')) as Record<string, unknown>;
/** A language's catalogue: its area files merged, as the console's i18n module merges them. */
const load = (code: string) => Object.assign({}, ...areaFiles(code).map((file) => readArea(code, file))) as Record<string, unknown>;

function flatten(obj: Record<string, unknown>, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object') for (const [kk, vv] of flatten(v as Record<string, unknown>, key)) out.set(kk, vv);
    else out.set(key, v);
  }
  return out;
}

function sources(path: string): string[] {
  return readdirSync(path).flatMap((f) => {
    const p = join(path, f);
    return statSync(p).isDirectory() ? sources(p) : /\.tsx?$/.test(f) ? [p] : [];
  });
}

describe('console catalogues', () => {
  const catalogues = Object.fromEntries(LOCALES.map((code) => [code, flatten(load(code))]));

  it('splits every language into the same area files, no two areas sharing a top-level key', () => {
    for (const code of LOCALES) expect(areaFiles(code)).toEqual(areaFiles('en'));
    const owner = new Map<string, string>();
    for (const file of areaFiles('en'))
      for (const key of Object.keys(readArea('en', file))) {
        expect({ key, file, alsoIn: owner.get(key) }).toEqual({ key, file, alsoIn: undefined });
        owner.set(key, file);
      }
  });

  it.each(LOCALES)('%s has every key of the others, and no empty message', (code) => {
    const keys = new Set(LOCALES.flatMap((c) => [...catalogues[c].keys()]));
    const missing = [...keys].filter((k) => !catalogues[code].has(k));
    expect(missing).toEqual([]);
    const empty = [...catalogues[code]].filter(([, v]) => typeof v !== 'string' || v.trim() === '').map(([k]) => k);
    expect(empty).toEqual([]);
  });

  it('keeps the same interpolation variables in every language', () => {
    const vars = (s: unknown) => [...String(s).matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();
    for (const [key, en] of catalogues.en) for (const code of LOCALES) expect({ key, code, vars: vars(catalogues[code].get(key)) }).toEqual({ key, code, vars: vars(en) });
  });

  it('has a message of its own for every error code the server can return', () => {
    // The codes as the server source spells them: the table AppError takes its codes from, every code
    // an AppError is raised with, and every error envelope a route writes by hand.
    const table = readFileSync(join(serverDir, 'shared/error-codes.ts'), 'utf8');
    const codes = new Set([...table.matchAll(/^\s+([a-z][a-z0-9_]*): \{ status:/gm)].map((m) => m[1]));
    expect(codes.size).toBeGreaterThan(140);
    for (const file of sources(serverDir).filter((f) => !f.endsWith('.test.ts'))) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/new AppError\(\s*'([a-z][a-z0-9_]*)'/g)) codes.add(m[1]);
      for (const m of text.matchAll(/\.send\(\{ error: \{ code: '([a-z][a-z0-9_]*)'/g)) codes.add(m[1]);
    }
    for (const code of LOCALES) expect({ code, missing: [...codes].filter((c) => !catalogues[code].has(`errors.${c}`)) }).toEqual({ code, missing: [] });
  });

  it('names every permission the server defines (its resource and its level) in every language', () => {
    const list = readFileSync(join(serverDir, 'auth/permissions.ts'), 'utf8').match(/export const PERMISSIONS = \[([^\]]*)\]/)![1];
    const permissions = [...list.matchAll(/'([\w-]+):(\w+)'/g)];
    expect(permissions.length).toBeGreaterThan(30);
    for (const code of LOCALES) {
      const missing = permissions.flatMap(([, resource, level]) => [`access.permissionNames.resources.${resource}`, `access.permissionNames.levels.${level}`]).filter((k) => !catalogues[code].has(k));
      expect({ code, missing }).toEqual({ code, missing: [] });
    }
  });

  it('has every key the console code names literally', () => {
    const used = new Set<string>();
    for (const file of sources(dir)) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\bt\(\s*'([a-zA-Z]+\.[\w.]+)'/g)) used.add(m[1]);
      for (const m of text.matchAll(/\bt\(\s*\w+\s*\?\s*'([\w.]+)'\s*:\s*'([\w.]+)'/g)) used.add(m[1]).add(m[2]);
    }
    expect(used.size).toBeGreaterThan(100);
    // A key used with {{count}} may exist only in its plural forms (i18next's key_one / key_other).
    const exists = (k: string) => catalogues.en.has(k) || (catalogues.en.has(`${k}_one`) && catalogues.en.has(`${k}_other`));
    expect([...used].filter((k) => !exists(k))).toEqual([]);
  });
});
