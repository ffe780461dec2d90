import { describe, expect, it } from 'vitest';
import { PREPARED_LIMIT, preparedCount, preparedFor, renderMessage, renderPrepared } from './render.js';

const scope = { profile: { first_name: 'Ann' }, event: null, journey: { id: 'jrn_1', name: 'j', version: 1, cart: [{ name: 'Red shoes' }] } };

describe('prepared message templates', () => {
  it('parses a step message once per journey version and step, and renders it like a fresh parse', () => {
    const message = { subject: 'Hi {{ profile.first_name }}', text: 'plain text', data: { cart: '{% for p in cart %}{{ p.name }};{% endfor %}' } };
    const key = { journeyId: 'jrn_1', version: 1, stepId: 'email' };
    const first = preparedFor(key, message);
    expect(preparedFor(key, message)).toBe(first);
    expect(renderPrepared(first, scope)).toEqual({ subject: 'Hi Ann', text: 'plain text', 'data.cart': 'Red shoes;' });
    expect(renderPrepared(first, scope)).toEqual(renderMessage(message, scope));
    // Another version (or step) of the journey is its own entry.
    expect(preparedFor({ ...key, version: 2 }, message)).not.toBe(first);
  });

  it('parses again when a draft was edited in place (a new message object under the same version)', () => {
    const key = { journeyId: 'jrn_draft', version: 1, stepId: 's' };
    expect(renderPrepared(preparedFor(key, { text: 'v1 {{ profile.first_name }}' }), scope)).toEqual({ text: 'v1 Ann' });
    expect(renderPrepared(preparedFor(key, { text: 'v2 {{ profile.first_name }}' }), scope)).toEqual({ text: 'v2 Ann' });
  });

  it(`keeps at most ${PREPARED_LIMIT} parsed messages`, () => {
    for (let i = 0; i < PREPARED_LIMIT + 50; i++) preparedFor({ journeyId: 'jrn_many', version: i, stepId: 's' }, { text: `n {{ ${i} }}` });
    expect(preparedCount()).toBe(PREPARED_LIMIT);
  });
});
