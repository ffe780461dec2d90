// When could a rule's result for a profile change with no new data? Only where an event enters or
// leaves a window, an occurrence becomes old enough, or an abandonment period ends: at `ts + offset`
// for a matching event. This returns the earliest such instant after `now` (or null): the scheduler
// re-evaluates the profile exactly then. It may return an instant at which nothing changes (harmless:
// the profile is re-evaluated and a new instant computed), never one later than a real change.
// compile-sql.ts turns the same boundaries into SQL to arm timers after a batch recompute.
import type { Condition, EventSpec } from './rule-schema.js';
import type { TimelineEvent } from './profile-state.js';
import { matchesSpec } from './evaluate.js';
import { durationMs, windowOffsets } from './time.js';

/** The time-dependent leaves of a rule: for events matching `spec`, the result may flip at ts + offset. */
export function timeBoundaries(c: Condition): { spec: EventSpec; offsets: number[] }[] {
  switch (c.type) {
    case 'and':
    case 'or':
      return c.conditions.flatMap(timeBoundaries);
    case 'not':
      return timeBoundaries(c.condition);
    case 'event': {
      const w = windowOffsets(c.window);
      return w ? [{ spec: c, offsets: [...new Set([w.toMs, w.fromMs])] }] : [];
    }
    case 'sequence': {
      const w = windowOffsets(c.window);
      const offsets = new Set(w ? [w.toMs, w.fromMs] : []);
      if (c.mode === 'not_followed') offsets.add(durationMs(c.within));
      return offsets.size ? [{ spec: c.first, offsets: [...offsets] }] : [];
    }
    case 'occurrence':
      return [{ spec: c, offsets: [durationMs(c.duration)] }];
    default:
      return [];
  }
}

export function nextChange(c: Condition, events: readonly TimelineEvent[], now: number): number | null {
  let next: number | null = null;
  for (const { spec, offsets } of timeBoundaries(c))
    for (const e of events)
      if (matchesSpec(e, spec))
        for (const offset of offsets) {
          const t = e.ts + offset;
          if (t > now && (next === null || t < next)) next = t;
        }
  return next;
}
