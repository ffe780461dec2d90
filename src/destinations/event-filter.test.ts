import { describe, expect, it } from 'vitest';
import { consentAllows, eventPreferences } from '../privacy/consent/index.js';
import { applyMapping, matchesFilter } from './event-filter.js';
import { diffMembers } from './resync.js';
import { retryKey } from './connectors/line.js';

const order = { type: 'track', event: 'Order Completed', properties: { total: 120, tags: ['vip'] }, context: { consent: { categoryPreferences: { advertising: false } } } };

describe('event filter, mapping and consent', () => {
  it('matches names, types and all property conditions', () => {
    expect(matchesFilter({ events: ['Order Completed'], conditions: [{ path: 'properties.total', op: 'gte', value: 100 }] }, order)).toBe(true);
    expect(matchesFilter({ events: ['Signed Up'] }, order)).toBe(false);
    expect(matchesFilter({ types: ['identify'] }, order)).toBe(false);
    expect(matchesFilter({ conditions: [{ path: 'properties.tags', op: 'contains', value: 'vip' }, { path: 'properties.coupon', op: 'exists' }] }, order)).toBe(false);
  });
  it('maps fields by path and leaves out absent ones', () =>
    expect(applyMapping({ amount: 'properties.total', name: 'event', missing: 'properties.nope' }, order)).toEqual({ amount: 120, name: 'Order Completed' }));
  it('denies only a category explicitly set to false', () => {
    const prefs = eventPreferences(order);
    expect(consentAllows(prefs, 'advertising')).toBe(false);
    expect(consentAllows(prefs, 'analytics')).toBe(true);
    expect(consentAllows(prefs, null)).toBe(true);
    expect(consentAllows(undefined, 'advertising')).toBe(true);
  });
});

describe('resync diff', () => {
  it('adds unsent members, removes sent non-members, and leaves pending profiles alone', () =>
    expect(diffMembers(new Set(['a', 'b', 'c']), new Set(['b', 'x', 'y']), new Set(['c', 'y']))).toEqual({ add: ['a'], remove: ['x'] }));
});

describe('LINE retry key', () => {
  it('is a UUID that depends only on the set of deliveries', () => {
    expect(retryKey(['a', 'b'])).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(retryKey(['b', 'a'])).toBe(retryKey(['a', 'b']));
    expect(retryKey(['a'])).not.toBe(retryKey(['a', 'b']));
  });
});
