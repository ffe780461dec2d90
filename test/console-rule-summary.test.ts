// The segment rule in words (console/src/pages/segments/ruleSummary.ts) with the real catalogues: the
// sentence of each kind of condition in English, and the same rules in 简体中文 and 繁體中文.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import i18next from 'i18next';
import { beforeAll, describe, expect, it } from 'vitest';

// The console's module is loaded by path: the server's tsconfig does not type-check console code (the
// console's own tsconfig does), so the test sees the rule as plain JSON.
type Condition = Record<string, unknown>;
type Summarise = (root: Condition, ctx: { t: unknown; number: (n: number) => string; segmentName?: (id: string) => string | undefined }) => string;
const modulePath = new URL('../console/src/pages/segments/ruleSummary.ts', import.meta.url).pathname;
let summariseRule: Summarise;

const dir = new URL('../console/src/locales/', import.meta.url).pathname;
const catalogue = (code: string) => Object.assign({}, ...readdirSync(join(dir, code)).map((f) => JSON.parse(readFileSync(join(dir, code, f), 'utf8'))));

const i18n = i18next.createInstance();
beforeAll(async () => {
  ({ summariseRule } = (await import(modulePath)) as { summariseRule: Summarise });
  await i18n.init({ lng: 'en', fallbackLng: 'en', interpolation: { escapeValue: false }, resources: Object.fromEntries(['en', 'zh-CN', 'zh-TW'].map((c) => [c, { translation: catalogue(c) }])) });
});

const say = (root: Condition, lng = 'en') =>
  summariseRule(root, { t: i18n.getFixedT(lng), number: (n: number) => new Intl.NumberFormat(lng).format(n), segmentName: (id: string) => (id === 'seg_1' ? 'VIP' : undefined) });

const bigOrders: Condition = {
  type: 'and',
  conditions: [{ type: 'event', event: 'Order Completed', where: [{ property: 'total', op: 'gte', value: 100 }], window: { last: { amount: 90, unit: 'days' } } }],
};

describe('rule summary', () => {
  it('says the audience of the acceptance test in each language', () => {
    expect(say(bigOrders)).toBe('performed “Order Completed” where total ≥ 100 in the last 90 days');
    expect(say(bigOrders, 'zh-CN')).toBe('在过去 90 天内做过 “Order Completed”（total ≥ 100）');
    expect(say(bigOrders, 'zh-TW')).toBe('在過去 90 天內做過 「Order Completed」（total ≥ 100）');
  });

  it('covers every kind of condition, groups in brackets', () => {
    const root: Condition = {
      type: 'or',
      conditions: [
        { type: 'trait', path: 'plan', op: 'in', value: ['pro', 'team'] },
        { type: 'trait', source: 'computed', path: 'orders_90d', op: 'exists' },
        { type: 'event', event: 'Login', did: false, window: { from: { amount: 2, unit: 'weeks' }, to: { amount: 1, unit: 'weeks' } } },
        { type: 'event', event: 'Order Completed', count: { op: 'at_least', value: 1 } },
        { type: 'event', event: 'Order Completed', aggregate: { fn: 'sum', property: 'total', op: 'gt', value: 1000 } },
        { type: 'sequence', first: { event: 'Cart Viewed' }, then: { event: 'Order Completed' }, within: { amount: 1, unit: 'hours' }, mode: 'not_followed' },
        { type: 'occurrence', which: 'last', event: 'Order Completed', op: 'more_than_ago', duration: { amount: 30, unit: 'days' } },
        { type: 'and', conditions: [{ type: 'segment', segmentId: 'seg_1' }, { type: 'tag', tag: 'newsletter' }] },
        { type: 'not', condition: { type: 'rfm_segment', in: ['Champions', 'At Risk'] } },
        { type: 'rfm', score: 'rfm_r', op: 'gte', value: 4 },
        { type: 'prediction', trait: 'churn_risk', op: 'lt', value: 0.25 },
      ],
    };
    expect(say(root).split(', or ')).toEqual([
      'trait plan is one of “pro”, “team”',
      'computed trait orders_90d is set',
      'did not perform “Login” between 2 weeks and 1 week ago',
      'performed “Order Completed” at least 1 time',
      'performed “Order Completed” with the sum of total > 1,000',
      'performed “Cart Viewed”, not followed by “Order Completed” within 1 hour',
      'last performed “Order Completed” more than 30 days ago',
      '(is in the segment “VIP”, and has the tag “newsletter”)',
      'not (is in the RFM segment Champions, At risk)',
      'Recency (R) ≥ 4',
      'Churn risk < 0.25',
    ]);
    // No catalogue key shows through as its name in any language.
    for (const lng of ['zh-CN', 'zh-TW']) expect(say(root, lng)).not.toMatch(/ruleSummary\.|rule\.|rfmSegments\./);
  });
});
