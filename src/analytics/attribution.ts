// Multi-touch attribution of orders to campaign touches. Pure.
// first_touch: all credit to the earliest touch in the lookback window; last_touch: to the latest
// touch at or before the order; linear: equal shares to every touch in the window. An order with no
// touch in its window is credited to '(direct)'.
import type { AttributionModel } from './query-schema.js';
import { DIRECT, NONE } from './facts.js';

export interface Touch {
  ts: number;
  channel: string;
  campaign: string;
}

export interface Order {
  ts: number;
  revenue: number;
  /** The profile's first order ever: counts as a new customer. */
  first: boolean;
}

export interface Credit {
  channel: string;
  campaign: string;
  orders: number;
  revenue: number;
  newCustomers: number;
}

/** Shares of one order: [touch, weight] with weights adding to 1. Touches sorted by time. */
export function shares(touches: readonly Touch[], orderTs: number, model: AttributionModel, lookbackMs: number): [Touch, number][] {
  const window = touches.filter((t) => t.ts <= orderTs && t.ts >= orderTs - lookbackMs);
  if (window.length === 0) return [[{ ts: orderTs, channel: DIRECT, campaign: NONE }, 1]];
  if (model === 'first_touch') return [[window[0], 1]];
  if (model === 'last_touch') return [[window[window.length - 1], 1]];
  return window.map((t) => [t, 1 / window.length]);
}

/** Credit per (channel, campaign) for one profile's orders and touches. Adds into `into`. */
export function attribute(orders: readonly Order[], touches: readonly Touch[], model: AttributionModel, lookbackMs: number, into: Map<string, Credit>): void {
  for (const o of orders)
    for (const [t, w] of shares(touches, o.ts, model, lookbackMs)) {
      const key = `${t.channel}\u0000${t.campaign}`;
      const c = into.get(key) ?? into.set(key, { channel: t.channel, campaign: t.campaign, orders: 0, revenue: 0, newCustomers: 0 }).get(key)!;
      c.orders += w;
      c.revenue += w * o.revenue;
      if (o.first) c.newCustomers += w;
    }
}
