import { describe, expect, it } from 'vitest';
import { Value } from '@sinclair/typebox/value';
import { Type } from '@sinclair/typebox';
import { ORIGIN_PATTERN, originCheck } from './origins.js';

describe('a source\'s allowed origins', () => {
  const admits = originCheck(['https://shop.example', 'https://*.shop.example', 'http://localhost:3000', 'https://*.stage.example:8443']);

  it('admits an exact origin, case-insensitively, and nothing that merely starts or ends like it', () => {
    expect(admits('https://shop.example')).toBe(true);
    expect(admits('HTTPS://SHOP.EXAMPLE')).toBe(true);
    expect(admits('http://shop.example')).toBe(false);
    expect(admits('https://shop.example:444')).toBe(false);
    expect(admits('https://shop.example.evil.example')).toBe(false);
    expect(admits('https://evilshop.example')).toBe(false);
    expect(admits('http://localhost:3000')).toBe(true);
    expect(admits('http://localhost:3001')).toBe(false);
    expect(admits('null')).toBe(false);
  });

  it('admits every subdomain of a wildcard, not the domain itself, and only on its port', () => {
    expect(admits('https://www.shop.example')).toBe(true);
    expect(admits('https://a.b.shop.example')).toBe(true);
    expect(admits('https://www.shop.example:8080')).toBe(false);
    expect(admits('http://www.shop.example')).toBe(false);
    expect(admits('https://a.stage.example:8443')).toBe(true);
    expect(admits('https://a.stage.example')).toBe(false);
    expect(admits('https://a.stage.example:18443')).toBe(false);
    expect(admits('https://stage.example:8443')).toBe(false);
  });

  it('admits any origin when the source has no list', () => {
    expect(originCheck(null)('https://anything.example')).toBe(true);
    expect(originCheck([])('https://anything.example')).toBe(false);
  });

  it('accepts as patterns only origins (scheme, host, optional port), with one leading wildcard', () => {
    const schema = Type.String({ pattern: ORIGIN_PATTERN });
    for (const ok of ['https://shop.example', 'https://*.shop.example', 'http://localhost:3000', 'https://xn--bcher-kva.example'])
      expect(Value.Check(schema, ok), ok).toBe(true);
    for (const bad of ['shop.example', 'https://shop.example/', 'https://shop.example/path', 'https://*', 'https://a.*.example', 'ftp://shop.example', '*'])
      expect(Value.Check(schema, bad), bad).toBe(false);
  });
});
