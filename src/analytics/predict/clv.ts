// Customer lifetime value over a horizon: the BG/NBD expected purchases in each month times the
// Gamma-Gamma expected transaction value, discounted monthly (as lifetimes' customer_lifetime_value).
import { expectedPurchases, type BgNbdParams, type Rft } from './bgnbd.js';

export interface ClvOptions {
  months: number;
  /** Yearly discount rate, e.g. 0.1 for 10 %. */
  annualDiscountRate: number;
  /** Length of the models' time unit in days (7 when fitted in weeks). */
  unitDays: number;
}

const DAYS_PER_MONTH = 365.25 / 12;

export function clv(bg: BgNbdParams, customer: Rft, expectedValue: number, o: ClvOptions): number {
  const monthly = Math.pow(1 + o.annualDiscountRate, 1 / 12) - 1;
  let total = 0;
  let before = 0;
  for (let i = 1; i <= o.months; i++) {
    const upTo = expectedPurchases(bg, customer, (i * DAYS_PER_MONTH) / o.unitDays);
    total += ((upTo - before) * expectedValue) / Math.pow(1 + monthly, i);
    before = upTo;
  }
  return total;
}
