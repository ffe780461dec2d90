import { describe, expect, it } from 'vitest';
import { identifierKey, type Identifier } from './identifiers.js';
import { resolveEvent, type GraphView } from './resolve.js';
import { profileIdFor } from './deterministic-ids.js';

const PRIORITY: Record<string, number> = { user_id: 100, email: 90, order_id: 0, device_id: 30, anonymous_id: 10 };
const id = (type: string, value: string): Identifier => ({ type, value, key: identifierKey(type, value), priority: PRIORITY[type], link: type !== 'order_id' });
const limits = new Map<string, number | null>([
  ['user_id', 1],
  ['email', 2],
  ['device_id', null],
  ['anonymous_id', null],
  ['order_id', null],
]);

function graph(profiles: Record<string, string[]>): GraphView {
  const owner = new Map<string, string>();
  for (const [p, keys] of Object.entries(profiles)) for (const k of keys) owner.set(k, p);
  return { ownerOf: (k) => owner.get(k), identifiersOf: (p) => profiles[p] };
}

describe('resolveEvent', () => {
  it('creates a profile named after the highest-priority new identifier', () => {
    const r = resolveEvent(graph({}), [id('user_id', 'u1'), id('anonymous_id', 'a1')], 1000, limits, new Map());
    expect(r).toEqual({ profileId: profileIdFor('user_id:u1', 1000), created: true, attach: ['user_id:u1', 'anonymous_id:a1'], merges: [], dropped: [] });
  });

  it('merges an anonymous profile into the known one when the union respects every limit', () => {
    const g = graph({ known: ['user_id:u1', 'email:a@x'], anon: ['anonymous_id:a1', 'email:b@x'] });
    const r = resolveEvent(g, [id('user_id', 'u1'), id('anonymous_id', 'a1')], 1000, limits, new Map());
    expect(r).toMatchObject({ profileId: 'known', created: false, merges: ['anon'], dropped: [] });
  });

  it('drops the lower-priority identifier when the merge would exceed the user_id limit', () => {
    const g = graph({ mum: ['user_id:mum', 'device_id:tablet'] });
    const r = resolveEvent(g, [id('user_id', 'dad'), id('device_id', 'tablet')], 1000, limits, new Map());
    expect(r).toMatchObject({ profileId: profileIdFor('user_id:dad', 1000), created: true, merges: [], dropped: [{ key: 'device_id:tablet', reason: 'limit' }] });
  });

  it('counts the identifiers of both profiles against the limit', () => {
    const g = graph({ p1: ['email:a@x', 'email:b@x'], p2: ['anonymous_id:z', 'email:c@x'] });
    const r = resolveEvent(g, [id('email', 'a@x'), id('anonymous_id', 'z')], 1000, limits, new Map());
    expect(r).toMatchObject({ profileId: 'p1', dropped: [{ key: 'anonymous_id:z', reason: 'limit' }] });
  });

  it('keeps separated identifiers apart', () => {
    const g = graph({ mum: ['email:mum@x', 'anonymous_id:tablet'] });
    const apart = new Map([
      ['email:teen@x', new Set(['anonymous_id:tablet'])],
      ['anonymous_id:tablet', new Set(['email:teen@x'])],
    ]);
    const r = resolveEvent(g, [id('email', 'teen@x'), id('anonymous_id', 'tablet')], 1000, limits, apart);
    expect(r).toMatchObject({ created: true, attach: ['email:teen@x'], dropped: [{ key: 'anonymous_id:tablet', reason: 'separated' }] });
  });

  it('never merges through a lookup-only identifier', () => {
    const g = graph({ a: ['user_id:u1', 'order_id:o1'] });
    const r = resolveEvent(g, [id('user_id', 'u2'), id('order_id', 'o1')], 1000, limits, new Map());
    expect(r).toMatchObject({ created: true, attach: ['user_id:u2'], dropped: [{ key: 'order_id:o1', reason: 'owned_elsewhere' }] });
    expect(resolveEvent(g, [id('order_id', 'o1')], 1000, limits, new Map())).toMatchObject({ profileId: 'a', created: false });
  });
});
