// The journeys' durable timers: each person's pending wait is `journey_enrollments.due_at`; the shared
// TimerService loop calls tick() when the earliest falls due. A tick moves every due person (of
// active and archived — draining — journeys; paused ones hold) in transactions of up to BATCH people
// (claimed with one UPDATE … RETURNING, their moves written together by a MoveBatch),
// and runs the daily schedule triggers. Before a batch, update-profile steps append their identify
// events to the log (message id journey:<enrollment>:<step>, so a repeat after a crash is a duplicate).
import type { Transaction } from 'kysely';
import type { EventLog } from '../log/index.js';
import type { Clock } from '../shared/clock.js';
import { TimerService } from '../shared/timer-service.js';
import type { Database, Db, Dialect } from '../storage/index.js';
import { enter } from './enter.js';
import { localMonthDay, monthDayOf, nextLocalTime } from './local-time.js';
import { advance, MoveBatch, profileTraits, toEnrollments, type RunnerDeps } from './runner.js';
import type { JourneyStore } from './store.js';
import { openTraits } from '../shared/encryption/pii-vault.js';

/** People claimed and moved per transaction. */
const BATCH = 1000;
export const JOURNEYS_SOURCE_ID = 'journeys';

export class JourneyTimers {
  private readonly timers: TimerService;

  constructor(
    private readonly o: { db: Db; dialect: Dialect; clock: Clock; store: JourneyStore; runner: RunnerDeps; log: EventLog; pollMs?: number; onError?(err: unknown): void; onMoved?(): void },
  ) {
    this.timers = new TimerService({ owner: this, clock: o.clock, pollMs: o.pollMs, onError: o.onError });
  }

  start() {
    this.timers.start();
  }
  stop() {
    return this.timers.stop();
  }
  poke() {
    this.timers.poke();
  }

  private async paused(): Promise<string[]> {
    return (await this.o.db.selectFrom('journeys').select('id').where('status', '=', 'paused').execute()).map((r) => r.id);
  }

  async nextDue(): Promise<number | null> {
    const paused = await this.paused();
    let q = this.o.db.selectFrom('journey_enrollments').select((eb) => eb.fn.min('due_at').as('due')).where('state', '=', 'active').where('due_at', 'is not', null);
    if (paused.length > 0) q = q.where('journey_id', 'not in', paused);
    const [wait, schedule] = await Promise.all([
      q.executeTakeFirst(),
      this.o.db.selectFrom('journeys').select((eb) => eb.fn.min('next_run_at').as('due')).where('status', '=', 'active').executeTakeFirst(),
    ]);
    const all = [wait?.due, schedule?.due].filter((v) => v !== null && v !== undefined).map(Number);
    return all.length > 0 ? Math.min(...all) : null;
  }

  /** Moves every person whose wait is due and runs due schedules; returns the people moved. */
  async tick(): Promise<number> {
    const { db, clock } = this.o;
    let moved = 0;
    const skip = new Set<string>();
    for (;;) {
      const now = clock.now();
      const paused = await this.paused();
      let q = db.selectFrom('journey_enrollments').select(['id', 'journey_id', 'version', 'profile_id', 'step_id']).where('state', '=', 'active').where('due_at', '<=', now).orderBy('due_at').limit(BATCH + skip.size);
      if (paused.length > 0) q = q.where('journey_id', 'not in', paused);
      const due = (await q.execute()).filter((r) => !skip.has(r.id)).slice(0, BATCH);
      if (due.length === 0) break;
      await this.appendTraitUpdates(due);
      try {
        moved += await db.transaction().execute((trx) => this.moveDue(trx, due.map((r) => r.id), now));
      } catch {
        // One person's failure must not hold the others: retry one by one, and put a failing one aside for a minute.
        for (const r of due)
          moved += await db
            .transaction()
            .execute((trx) => this.moveDue(trx, [r.id], now))
            .catch(async (err) => {
              this.o.onError?.(err);
              skip.add(r.id);
              await db.updateTable('journey_enrollments').set({ due_at: now + 60_000 }).where('id', '=', r.id).execute();
              return 0;
            });
      }
    }
    await this.runSchedules();
    if (moved > 0) this.o.onMoved?.();
    return moved;
  }

  /**
   * Claims the given people that are still due (one UPDATE … RETURNING bumps their rev, so any
   * other mover of theirs fails its own claim; on PostgreSQL the rows stay locked until commit and a
   * second process waits, then finds them no longer due), moves each from their wait, and writes
   * all their moves at once (MoveBatch). Returns the people moved.
   */
  private async moveDue(trx: Transaction<Database>, ids: string[], now: number): Promise<number> {
    const { dialect, store } = this.o;
    const claimed = [];
    for (let i = 0; i < ids.length; i += 500)
      claimed.push(
        ...(await trx
          .updateTable('journey_enrollments')
          .set((eb) => ({ rev: eb('rev', '+', 1) }))
          .where('id', 'in', ids.slice(i, i + 500))
          .where('state', '=', 'active')
          .where('due_at', '<=', now)
          .returningAll()
          .execute()),
      );
    if (claimed.length === 0) return 0;
    const names = new Map((await trx.selectFrom('journeys').select(['id', 'name']).where('id', 'in', [...new Set(claimed.map((r) => r.journey_id))]).execute()).map((j) => [j.id, j.name]));
    const traits = new Map<string, Record<string, unknown>>();
    const profileIds = [...new Set(claimed.map((r) => r.profile_id))];
    for (let i = 0; i < profileIds.length; i += 500)
      for (const p of await trx.selectFrom('profiles').select(['id', 'traits']).where('id', 'in', profileIds.slice(i, i + 500)).execute()) traits.set(p.id, await openTraits(dialect, dialect.parseJson(p.traits) as Record<string, unknown>));
    const batch = new MoveBatch();
    for (const e of await toEnrollments(this.o.runner.contexts, claimed)) {
      e.claimed = true;
      const def = await store.definition(trx, e.journey_id, e.version);
      await advance(trx, this.o.runner, { id: e.journey_id, name: names.get(e.journey_id) ?? e.journey_id }, def, e, now, 'timer', traits.get(e.profile_id) ?? {}, batch);
    }
    await batch.flush(trx, this.o.runner.outbox);
    return claimed.length;
  }

  /** Identify events for due update-profile steps that set traits (the event log is the source of profile traits). */
  private async appendTraitUpdates(due: { id: string; journey_id: string; version: number; profile_id: string; step_id: string | null }[]) {
    const events = [];
    for (const e of due) {
      const def = await this.o.store.definition(this.o.db, e.journey_id, Number(e.version));
      const step = def.steps.find((s) => s.id === e.step_id);
      if (step?.type !== 'update_profile' || !step.setTraits) continue;
      const ids = await this.o.db.selectFrom('identity_identifiers').select(['type', 'value']).where('profile_id', '=', e.profile_id).where('type', 'in', ['user_id', 'anonymous_id']).execute();
      const userId = ids.find((i) => i.type === 'user_id')?.value ?? null;
      const anonymousId = userId ? null : (ids.find((i) => i.type === 'anonymous_id')?.value ?? null);
      if (!userId && !anonymousId) continue;
      const now = this.o.clock.now();
      const messageId = `journey:${e.id}:${step.id}`;
      const payload = { type: 'identify', userId, anonymousId, traits: step.setTraits, messageId, timestamp: new Date(now).toISOString(), context: { journey: { id: e.journey_id, step: step.id } } };
      events.push({ sourceId: JOURNEYS_SOURCE_ID, messageId, type: 'identify', event: null, userId, anonymousId, ts: now, receivedAt: now, payload: JSON.stringify(payload) });
    }
    if (events.length > 0) await this.o.log.append(events);
  }

  /** Schedule triggers: once a day at their local time, enter the segment's members (those whose date trait is today, when set). */
  private async runSchedules() {
    const { db, dialect, clock, store } = this.o;
    const now = clock.now();
    const due = await db.selectFrom('journeys').select(['id', 'name', 'version', 'next_run_at']).where('status', '=', 'active').where('next_run_at', '<=', now).execute();
    for (const r of due) {
      const def = await store.definition(db, r.id, Number(r.version));
      if (def.trigger.type !== 'schedule') continue;
      const trigger = def.trigger;
      const tz = def.rules?.defaultTimezone ?? 'UTC';
      const j = { id: r.id, name: r.name, version: Number(r.version), def };
      const today = localMonthDay(now, tz);
      await db.transaction().execute(async (trx) => {
        const candidates = trigger.segmentId
          ? (await trx.selectFrom('segment_memberships').select('profile_id').where('segment_id', '=', trigger.segmentId).execute()).map((m) => m.profile_id)
          : (await trx.selectFrom('profiles').select('id').execute()).map((p) => p.id);
        for (const profileId of candidates) {
          if (trigger.dateTrait) {
            const traits = (await profileTraits(trx, dialect, profileId)) ?? {};
            if (monthDayOf(traits[trigger.dateTrait]) !== today) continue;
          }
          await enter(trx, this.o.runner, j, profileId, null, now);
        }
        await trx.updateTable('journeys').set({ next_run_at: nextLocalTime(now, trigger.at, tz) }).where('id', '=', r.id).execute();
      });
    }
  }
}
