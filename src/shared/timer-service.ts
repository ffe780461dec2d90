// The one durable-timer loop of the server. Timers themselves live in their owners' tables
// (segment_timers, journey_enrollments.due_at), so they survive restarts; this loop only decides when
// to look: it runs `tick` (process everything due), asks `nextDue` for the earliest pending instant
// and sleeps until then — but never longer than `pollMs`, since other processes and in-process
// writers (which call `poke`) add earlier timers. Tests drive `tick` directly with a ManualClock.
import type { Clock } from './clock.js';

export interface TimerOwner {
  /** Processes every timer due at clock.now(). */
  tick(): Promise<unknown>;
  /** The earliest pending due instant (epoch ms), or null when nothing waits. */
  nextDue(): Promise<number | null>;
}

export class TimerService {
  private running = false;
  private loop: Promise<void> | null = null;
  private sleeper: { timer: NodeJS.Timeout; wake: () => void } | null = null;
  private poked = false;

  constructor(private readonly o: { owner: TimerOwner; clock: Clock; pollMs?: number; onError?(err: unknown): void }) {}

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

  /** An earlier timer may exist now: look again at once. */
  poke() {
    this.poked = true;
    this.sleeper?.wake();
  }

  private async run() {
    const pollMs = this.o.pollMs ?? 1000;
    while (this.running) {
      let wait = pollMs;
      this.poked = false;
      try {
        await this.o.owner.tick();
        const next = await this.o.owner.nextDue();
        if (next !== null) wait = next - this.o.clock.now();
      } catch (err) {
        this.o.onError?.(err);
      }
      if (!this.running) break;
      if (this.poked) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, Math.min(pollMs, wait)));
        this.sleeper = { timer, wake: () => (clearTimeout(timer), resolve()) };
      });
      this.sleeper = null;
    }
  }
}
