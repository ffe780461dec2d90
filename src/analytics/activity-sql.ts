// The relation KPI, engagement and cohort queries read: per hour (or per event) and person, the events,
// orders and revenue. The hourly rollup when every bucket boundary is a whole UTC hour and no breakdown
// dimension is needed; otherwise (a breakdown, or zones such as Asia/Kolkata, +05:30) the event facts,
// which carry the dimensions and are exact to the millisecond.
import { sql, type RawBuilder } from 'kysely';
import { ORDER_EVENT } from './facts.js';
import { hourAligned, type Bucket } from './time-buckets.js';

export interface Activity {
  /** A relation aliased `h` with columns hour (a time), person, events, orders, revenue (and the dimensions when asked). */
  relation: RawBuilder<unknown>;
  source: 'rollup' | 'events';
}

export function activity(bs: readonly Bucket[], lo: number, hi: number, dimensions = false): Activity {
  if (hourAligned(bs) && !dimensions) return { relation: sql`analytics_hourly h`, source: 'rollup' };
  const order = sql.lit(ORDER_EVENT);
  return {
    relation: sql`(SELECT ts AS hour, person, channel, campaign, device, country, category, 1 AS events,
        CASE WHEN name = ${order} THEN 1 ELSE 0 END AS orders,
        CASE WHEN name = ${order} THEN COALESCE(revenue, 0) ELSE 0 END AS revenue
      FROM analytics_events WHERE ts >= ${sql.lit(lo)} AND ts < ${sql.lit(hi)}) h`,
    source: 'events',
  };
}
