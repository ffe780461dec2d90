// The relation KPI, engagement and cohort queries read: per hour (or per event), person and dimensions,
// the events, orders and revenue. The hourly rollup when every bucket boundary is a whole UTC hour;
// otherwise (zones such as Asia/Kolkata, +05:30) the event facts, exact to the millisecond.
import { sql, type RawBuilder } from 'kysely';
import { ORDER_EVENT } from './facts.js';
import { hourAligned, type Bucket } from './time-buckets.js';

export interface Activity {
  /** A relation aliased `h` with columns hour (a time), person, the dimensions, events, orders, revenue. */
  relation: RawBuilder<unknown>;
  source: 'rollup' | 'events';
}

export function activity(bs: readonly Bucket[], lo: number, hi: number): Activity {
  if (hourAligned(bs)) return { relation: sql`analytics_hourly h`, source: 'rollup' };
  const order = sql.lit(ORDER_EVENT);
  return {
    relation: sql`(SELECT ts AS hour, person, channel, campaign, device, country, category, 1 AS events,
        CASE WHEN name = ${order} THEN 1 ELSE 0 END AS orders,
        CASE WHEN name = ${order} THEN COALESCE(revenue, 0) ELSE 0 END AS revenue
      FROM analytics_events WHERE ts >= ${sql.lit(lo)} AND ts < ${sql.lit(hi)}) h`,
    source: 'events',
  };
}
