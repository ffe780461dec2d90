// Applies a source's tracking plan to normalised events before they enter the log: clean events
// pass untouched; a violating event is kept and flagged (context.trackingPlan.violations) or blocked
// into failed events (stage 'tracking_plan'), and every violation is recorded. Sources without a
// plan cost one cached lookup.
import type { Clock } from '../../shared/clock.js';
import type { FailedEvents, NewLogEvent } from '../../log/index.js';
import { compilePlan, type PlanCheck } from './check.js';
import type { TrackingPlan } from './schema.js';
import type { NewViolation, TrackingPlanStore } from './store.js';

/** Other processes' plan changes are picked up within this time; this process's at once. */
const CACHE_MS = 5_000;

interface CachedPlan {
  check?: PlanCheck;
  block: boolean;
  until: number;
}

export class TrackingPlans {
  private readonly cache = new Map<string, CachedPlan>();

  constructor(
    readonly store: TrackingPlanStore,
    private readonly failed: FailedEvents,
    private readonly clock: Clock,
  ) {}

  /** Validates the plan (compiles its schemas) and stores it. */
  async put(sourceId: string, plan: TrackingPlan): Promise<void> {
    compilePlan(plan);
    await this.store.put(sourceId, plan, this.clock.now());
    this.cache.delete(sourceId);
  }

  async delete(sourceId: string): Promise<void> {
    await this.store.delete(sourceId);
    this.cache.delete(sourceId);
  }

  /** The events that may be appended (kept ones possibly flagged); blocked ones are recorded as failed. */
  screen = async (sourceId: string, events: NewLogEvent[]): Promise<NewLogEvent[]> => {
    const plan = await this.planFor(sourceId);
    if (!plan.check) return events;
    const now = this.clock.now();
    const kept: NewLogEvent[] = [];
    const violations: NewViolation[] = [];
    const blocked: NewLogEvent[] = [];
    for (const e of events) {
      const payload = JSON.parse(e.payload) as Record<string, unknown> & { context?: Record<string, unknown> };
      const found = plan.check(payload as Parameters<PlanCheck>[0]);
      if (found.length === 0) {
        kept.push(e);
        continue;
      }
      for (const v of found) violations.push({ ...v, sourceId, messageId: e.messageId, type: e.type, event: e.event, blocked: plan.block, at: now });
      if (plan.block) blocked.push(e);
      else kept.push({ ...e, payload: JSON.stringify({ ...payload, context: { ...payload.context, trackingPlan: { violations: found } } }) });
    }
    if (violations.length > 0) await this.store.record(violations);
    if (blocked.length > 0)
      await this.failed.record(
        blocked.map((e) => ({
          sourceId,
          messageId: e.messageId,
          stage: 'tracking_plan',
          code: 'tracking_plan_violation',
          reason: violations.filter((v) => v.messageId === e.messageId).map((v) => v.message).join('; '),
          payload: JSON.parse(e.payload),
          failedAt: now,
        })),
      );
    return kept;
  };

  private async planFor(sourceId: string): Promise<CachedPlan> {
    const now = this.clock.now();
    const cached = this.cache.get(sourceId);
    if (cached && cached.until > now) return cached;
    const plan = await this.store.get(sourceId);
    const entry: CachedPlan = { check: plan && compilePlan(plan), block: plan?.onViolation === 'block', until: now + CACHE_MS };
    this.cache.set(sourceId, entry);
    return entry;
  }
}
