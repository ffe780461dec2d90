// Built-in audiences, each created with one API call. Purchases are Segment e-commerce spec events.
import type { Rule } from './rule-schema.js';

export interface TemplateDef {
  name: string;
  title: string;
  description: string;
  rule: Rule;
}

const ORDER = 'Order Completed';
const days = (amount: number) => ({ amount, unit: 'days' as const });

/** `first` in the last `windowDays` not followed by `then` within an hour, and not followed by it at all since. */
const abandoned = (first: string, then: string, windowDays: number): Rule => ({
  version: 1,
  root: {
    type: 'and',
    conditions: [
      { type: 'sequence', first: { event: first }, then: { event: then }, within: { amount: 1, unit: 'hours' }, mode: 'not_followed', window: { last: days(windowDays) } },
      {
        type: 'not',
        condition: { type: 'sequence', first: { event: first }, then: { event: then }, within: days(windowDays), mode: 'followed', window: { last: days(windowDays) } },
      },
    ],
  },
});

export const TEMPLATES: TemplateDef[] = [
  {
    name: 'recent-buyers',
    title: 'Recent buyers',
    description: `Completed an order (${ORDER}) in the last 30 days.`,
    rule: { version: 1, root: { type: 'event', event: ORDER, window: { last: days(30) } } },
  },
  {
    name: 'first-time-buyers',
    title: 'First-time buyers',
    description: 'Exactly one order ever, placed less than 30 days ago.',
    rule: {
      version: 1,
      root: {
        type: 'and',
        conditions: [
          { type: 'event', event: ORDER, count: { op: 'exactly', value: 1 } },
          { type: 'occurrence', which: 'first', event: ORDER, op: 'less_than_ago', duration: days(30) },
        ],
      },
    },
  },
  {
    name: 'cart-abandoners',
    title: 'Cart abandoners',
    description: 'Added a product to the cart in the last 7 days, did not order within 1 hour after, and has not ordered since.',
    rule: abandoned('Product Added', ORDER, 7),
  },
  {
    name: 'browse-abandoners',
    title: 'Browse abandoners',
    description: 'Viewed a product in the last 3 days, did not add to the cart within 1 hour after, and has not since.',
    rule: abandoned('Product Viewed', 'Product Added', 3),
  },
  {
    name: 'lapsed-customers',
    title: 'Lapsed customers',
    description: 'Ordered before, but the last order is more than 90 days old.',
    rule: { version: 1, root: { type: 'occurrence', which: 'last', event: ORDER, op: 'more_than_ago', duration: days(90) } },
  },
  {
    name: 'high-ltv',
    title: 'High lifetime value',
    description: 'Orders totalling at least 1000 (sum of properties.total).',
    rule: { version: 1, root: { type: 'event', event: ORDER, aggregate: { fn: 'sum', property: 'total', op: 'gte', value: 1000 } } },
  },
];
