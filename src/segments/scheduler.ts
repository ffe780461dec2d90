// Time-based membership changes: wakes at the earliest due timer (segment_timers, durable) and
// re-evaluates exactly the profiles whose timers are due — no periodic full scan. Also runs the
// daily RFM recompute. Tests drive it with a ManualClock and `tick()`.
import type { Db, Dialect } from '../storage/index.js';
import type { Clock } from '../shared/clock.js';
import { reevaluateProfiles } from './reevaluate.js';
import { loadCatalog } from './store.js';
import type { RfmService } from './rfm.js';

const BATCH = 500;

export class SegmentScheduler {
  private running = false;
  private loop: Promise<void> | null = null;
  private sleeper: { timer: NodeJS.Timeout; wake: () => void } | null = null;

  constructor(
    private readonly o: { db: Db; dialect: Dialect; clock: Clock; rfm: RfmService; pollMs?: number; onError?(err: unknown): void },
  ) {}

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

  start() {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop() {
    this.running = false;
    this.sleeper?.wake();
    await this.loop;
  }

  private async run() {
    const pollMs = this.o.pollMs ?? 1000;
    while (this.running) {
      let due = pollMs;
      try {
        await this.tick();
        // Sleep until the earliest timer, but re-check at least every pollMs: other processes and the
        // real-time stage add earlier timers.
        const next = await this.o.db.selectFrom('segment_timers').select((eb) => eb.fn.min('due_at').as('due')).executeTakeFirst();
        if (next?.due != null) due = Number(next.due) - this.o.clock.now();
      } catch (err) {
        this.o.onError?.(err);
      }
      if (!this.running) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, Math.min(pollMs, due)));
        this.sleeper = { timer, wake: () => (clearTimeout(timer), resolve()) };
      });
      this.sleeper = null;
    }
  }
}
