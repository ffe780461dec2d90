// A segment rule as a sentence in the user's language ("performed “Order Completed” where total ≥ 100 at
// least once in the last 90 days"): every kind of condition of the rule language, groups in brackets.
// Word order is the catalogue's (`ruleSummary.*` templates), so each language reads naturally.
import type { TFunction } from 'i18next';
import type { Condition, Duration, PropertyFilter } from '../../api/types';

type Window = { last: Duration } | { from: Duration; to: Duration };
type Where = readonly PropertyFilter[] | undefined;

export type SummaryContext = {
  t: TFunction;
  number: (n: number) => string;
  /** A segment's name from its id (the id itself when unknown). */
  segmentName?: (id: string) => string | undefined;
};

export function summariseRule(root: Condition, ctx: SummaryContext): string {
  return condition(root, ctx, true);
}

function value(v: unknown, ctx: SummaryContext): string {
  if (Array.isArray(v)) return v.map((x) => value(x, ctx)).join(ctx.t('ruleSummary.listSeparator'));
  if (typeof v === 'number') return ctx.number(v);
  if (typeof v === 'boolean') return ctx.t(v ? 'ruleSummary.true' : 'ruleSummary.false');
  return ctx.t('ruleSummary.quoted', { text: String(v) });
}

/** "≥ 100", "is set", "is one of “a”, “b”". */
function test(op: string, v: unknown, ctx: SummaryContext): string {
  const word = ctx.t(`rule.ops.${op}`);
  return op === 'exists' || op === 'not_exists' ? word : `${word} ${value(v, ctx)}`;
}

const quote = (text: string, ctx: SummaryContext) => ctx.t('ruleSummary.quoted', { text });

// Each unit has its own plural forms ("1 hour", "2 hours"); `count` picks the form, `amount` is the number as shown.
const duration = (d: Duration, ctx: SummaryContext) => ctx.t(`ruleSummary.durations.${d.unit}`, { count: d.amount, amount: ctx.number(d.amount) });

function window(w: Window | undefined, ctx: SummaryContext): string {
  if (!w) return '';
  if ('last' in w) return ctx.t('ruleSummary.windowLast', { duration: duration(w.last, ctx) });
  return ctx.t('ruleSummary.windowBetween', { from: duration(w.from, ctx), to: duration(w.to, ctx) });
}

function where(filters: Where, ctx: SummaryContext): string {
  if (!filters?.length) return '';
  const parts = filters.map((f) => `${f.property} ${test(f.op, 'value' in f ? f.value : undefined, ctx)}`);
  return ctx.t('ruleSummary.where', { filters: parts.join(ctx.t('ruleSummary.andSeparator')) });
}

function condition(c: Condition, ctx: SummaryContext, top = false): string {
  const { t } = ctx;
  switch (c.type) {
    case 'and':
    case 'or': {
      const parts = c.conditions.map((x) => condition(x, ctx));
      const joined = parts.join(t(c.type === 'and' ? 'ruleSummary.and' : 'ruleSummary.or'));
      return top || parts.length === 1 ? joined : t('ruleSummary.group', { conditions: joined });
    }
    case 'not':
      return t('ruleSummary.not', { condition: condition(c.condition, ctx) });
    case 'trait':
      return t(c.source === 'computed' ? 'ruleSummary.computedTrait' : 'ruleSummary.trait', { path: c.path, test: test(c.op, 'value' in c ? c.value : undefined, ctx) });
    case 'event': {
      const measure = c.aggregate
        ? t('ruleSummary.aggregate', { fn: t(`rule.fn.${c.aggregate.fn}`), property: c.aggregate.property, test: test(c.aggregate.op, c.aggregate.value, ctx) })
        : c.count
          ? t('ruleSummary.count', { count: c.count.value, op: t(`rule.count.${c.count.op}`), n: ctx.number(c.count.value) })
          : '';
      return t(c.did === false ? 'ruleSummary.eventNot' : 'ruleSummary.event', { event: quote(c.event, ctx), where: where(c.where, ctx), measure, window: window(c.window, ctx) });
    }
    case 'sequence':
      return t(c.mode === 'followed' ? 'ruleSummary.followed' : 'ruleSummary.notFollowed', {
        first: quote(c.first.event, ctx),
        firstWhere: where(c.first.where, ctx),
        then: quote(c.then.event, ctx),
        thenWhere: where(c.then.where, ctx),
        within: duration(c.within, ctx),
        window: window(c.window, ctx),
      });
    case 'occurrence':
      return t(c.which === 'first' ? 'ruleSummary.firstTime' : 'ruleSummary.lastTime', {
        event: quote(c.event, ctx),
        where: where(c.where, ctx),
        op: t(`rule.${c.op}`),
        duration: duration(c.duration, ctx),
      });
    case 'segment':
      return t('ruleSummary.segment', { name: quote(ctx.segmentName?.(c.segmentId) ?? c.segmentId, ctx) });
    case 'tag':
      return t('ruleSummary.tag', { tag: quote(c.tag, ctx) });
    case 'rfm':
      return `${t(`rule.${c.score}`)} ${test(c.op, c.value, ctx)}`;
    case 'rfm_segment':
      return t('ruleSummary.rfmSegment', { segments: c.in.map((s) => t(`rfmSegments.${s}`, { defaultValue: s })).join(t('ruleSummary.listSeparator')) });
    case 'prediction':
      return `${t(`rule.predictionTraits.${c.trait}`)} ${test(c.op, c.value, ctx)}`;
  }
}
