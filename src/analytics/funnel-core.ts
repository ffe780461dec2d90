// Ordered funnels over one person's events. Pure.
//
// A person enters at a step-1 event inside the range; each later step is the earliest matching event
// after the previous step's (strictly later in log order when timestamps tie) and no later than the
// first step + the conversion window. Of all the person's step-1 events, the attempt that gets
// furthest counts (the earliest among equals), so a person counts once per step.
export interface StepHit {
  step: number;
  ts: number;
  seq: number;
}

export interface Conversion {
  /** Timestamps of the steps reached, step 0 first. */
  times: number[];
  start: StepHit;
}

const after = (a: StepHit, b: { ts: number; seq: number }) => a.ts > b.ts || (a.ts === b.ts && a.seq > b.seq);

/** The person's best attempt, or null when no step-1 event is inside [lo, hi). Hits sorted by ts, seq. */
export function bestConversion(hits: readonly StepHit[], steps: number, windowMs: number, lo: number, hi: number): Conversion | null {
  let best: Conversion | null = null;
  for (const start of hits) {
    if (start.step !== 0 || start.ts < lo || start.ts >= hi) continue;
    const times = [start.ts];
    let prev: StepHit = start;
    for (let s = 1; s < steps; s++) {
      const next = hits.find((h) => h.step === s && after(h, prev) && h.ts <= start.ts + windowMs);
      if (!next) break;
      times.push(next.ts);
      prev = next;
    }
    if (!best || times.length > best.times.length) best = { times, start };
    if (times.length === steps) break;
  }
  return best;
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Per-step users, conversion from the start and from the previous step, median seconds from the previous step. */
export function summarise(conversions: readonly Conversion[], events: readonly string[]) {
  return events.map((event, s) => {
    const reached = conversions.filter((c) => c.times.length > s);
    const users = reached.length;
    const prev = s === 0 ? users : conversions.filter((c) => c.times.length > s - 1).length;
    const first = conversions.length;
    return {
      event,
      users,
      conversionFromStart: first === 0 ? null : users / first,
      conversionFromPrevious: s === 0 ? (first === 0 ? null : 1) : prev === 0 ? null : users / prev,
      medianSecondsFromPrevious: s === 0 ? null : median(reached.map((c) => (c.times[s] - c.times[s - 1]) / 1000)),
    };
  });
}
