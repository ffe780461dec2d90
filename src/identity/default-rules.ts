// The rules a workspace starts with: the common Segment identifier locations, sane limits.
import type { IdentityRules } from './schema.js';

export const DEFAULT_RULES: IdentityRules = {
  defaultCountry: 'US',
  identifiers: [
    { type: 'user_id', paths: ['userId'], normalise: 'none', priority: 100, limit: 1, link: true },
    { type: 'email', paths: ['traits.email', 'context.traits.email', 'properties.email'], normalise: 'email', priority: 90, limit: 5, link: true },
    { type: 'phone', paths: ['traits.phone', 'context.traits.phone', 'properties.phone'], normalise: 'phone', priority: 80, limit: 5, link: true },
    { type: 'member_id', paths: ['traits.member_id', 'context.traits.member_id', 'properties.member_id'], normalise: 'trim', priority: 70, limit: 1, link: true },
    // LINE user ids (per LINE provider) from the LINE Login / Messaging API, used by the LINE destination.
    { type: 'line_user_id', paths: ['traits.line_user_id', 'context.traits.line_user_id', 'context.traits.lineUserId', 'properties.line_user_id'], normalise: 'trim', priority: 60, limit: 1, link: true },
    { type: 'device_id', paths: ['context.device.advertisingId', 'context.device.id'], normalise: 'trim', priority: 30, limit: null, link: true },
    { type: 'cookie', paths: ['context.cookie_id', 'properties.cookie_id'], normalise: 'trim', priority: 20, limit: null, link: true },
    // previousId is what alias calls carry: the anonymous id being tied to userId.
    { type: 'anonymous_id', paths: ['anonymousId', 'previousId'], normalise: 'none', priority: 10, limit: null, link: true },
    { type: 'order_id', paths: ['properties.order_id'], normalise: 'trim', priority: 0, limit: null, link: false },
  ],
  traitPrecedence: {},
};
