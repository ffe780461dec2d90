// Time-based membership changes: wakes at the earliest due timer (segment_timers, durable) and
// re-evaluates exactly the profiles whose timers are due — no periodic full scan. Also runs the
// daily RFM recompute. The loop is the shared TimerService; tests drive it with a ManualClock and `tick()`.
import type { Db, Dialect } from '../storage/index.js';
import type { Clock } from '../shared/clock.js';
import { TimerService } from '../shared/timer-service.js';
import { reevaluateProfiles } from './reevaluate.js';
import { loadCatalog } from './store.js';
import type { RfmService } from './rfm.js';

const BATCH = 500;

export class SegmentScheduler {
  private readonly timers: TimerService;

  constructor(
    private readonly o: { db: Db; dialect: Dialect; clock: Clock; rfm: RfmService; pollMs?: number; onError?(err: unknown): void },
  ) {
    this.timers = new TimerService({ owner: this, clock: o.clock, pollMs: o.pollMs, onError: o.onError });
  }

  /** Processes every timer due at clock.now() (and the daily RFM run if due); returns the profiles re-evaluated. */
  async tick(): Promise<number> {
    const { db, dialect, clock } = this.o;
    let total = 0;
    for (;;) {
      const now = clock.now();
      const due = await db.selectFrom('segment_timers').select('profile_id').where('due_at', '<=', now).orderBy('due_at').limit(BATCH).execute();
      if (due.length === 0) break;
      await db.transaction().execute(async (trx) => {
        const catalog = await loadCatalog(trx, dialect);
        await reevaluateProfiles(trx, dialect, catalog, due.map((d) => ({ id: d.profile_id, triggerSeq: null })), now);
      });
      total += due.length;
    }
    if (await this.o.rfm.isDue()) await this.o.rfm.recompute();
    return total;
  }

  async nextDue(): Promise<number | null> {
    const next = await this.o.db.selectFrom('segment_timers').select((eb) => eb.fn.min('due_at').as('due')).executeTakeFirst();
    return next?.due == null ? null : Number(next.due);
  }

  start() {
    this.timers.start();
  }

  stop() {
    return this.timers.stop();
  }
}
