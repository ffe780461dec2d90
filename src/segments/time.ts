// Relative time in rules: durations and windows as millisecond offsets from `now`.
import type { Duration, Window } from './rule-schema.js';

const UNIT_MS = { minutes: 60_000, hours: 3_600_000, days: 86_400_000, weeks: 604_800_000 } as const;

export const durationMs = (d: Duration) => d.amount * UNIT_MS[d.unit];

/**
 * A window as offsets: an event at ts is inside at `now` iff now - fromMs < ts <= now - toMs, i.e. for
 * now in [ts + toMs, ts + fromMs). `undefined` (no window) means "ever": every event counts.
 */
export function windowOffsets(w: Window | undefined): { fromMs: number; toMs: number } | undefined {
  if (!w) return undefined;
  return 'last' in w ? { fromMs: durationMs(w.last), toMs: 0 } : { fromMs: durationMs(w.from), toMs: durationMs(w.to) };
}

export const inWindow = (ts: number, w: { fromMs: number; toMs: number } | undefined, now: number) =>
  !w || (ts > now - w.fromMs && ts <= now - w.toMs);
