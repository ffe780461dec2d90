// Refits as jobs: POST /v1/predictions/refit (or the schedule) queues a job; the runner claims pending
// jobs one at a time, loads the data, fits every model (fit-models.ts) off the request path and writes
// scores, similarities and model cards in one transaction together with the segments whose rules use a
// prediction condition. Also the per-profile reads: predicted traits and recommendations.
import type { Db, Dialect } from '../../storage/index.js';
import type { Clock } from '../../shared/clock.js';
import { AppError } from '../../shared/errors.js';
import { loadCatalog, MEMBERSHIP_FEED_LOCK, recomputeSegments, references, withDependents, type RfmService } from '../../segments/index.js';
import type { FitOutput, FitSettings, ModelInput } from './fit-models.js';
import { startModuleWorker } from '../../shared/module-worker.js';
import { ownedItems, recommend, type Recommendation } from './recommend.js';
import { DAY_MS } from './summarise.js';
import { PredictionStore } from './store.js';
import type { PredictionJob, RefitBody, RefitSettings } from './schema.js';

export const DEFAULT_HORIZON_DAYS = 90;
export const DEFAULT_DISCOUNT_RATE = 0.1;
export const VIEW_EVENT = 'Product Viewed';
/** Engagement features look this far back before a cut-off. */
const ACTIVITY_DAYS = 90;

/** Fitting is CPU work for seconds to minutes: a worker thread keeps this process's event loop free. */
function fitInThread(input: ModelInput, settings: FitSettings): Promise<FitOutput> {
  return new Promise((resolve, reject) => {
    const worker = startModuleWorker(import.meta.url, './fit-thread', { input, settings });
    worker.once('message', (m: { ok?: FitOutput; error?: string }) => (m.ok ? resolve(m.ok) : reject(new Error(m.error))));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the fitting thread exited (code ${code})`)));
  });
}

export class PredictionService {
  readonly store: PredictionStore;
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private readonly startedAt: number;

  constructor(
    private readonly o: { db: Db; dialect: Dialect; clock: Clock; rfm: RfmService; refitHours: number; pollMs?: number; onError?(err: unknown): void },
  ) {
    this.store = new PredictionStore(o.db, o.dialect);
    this.startedAt = o.clock.now();
  }

  /** Queues a refit; the purchase event and value properties are those of RFM. */
  async refit(body: RefitBody, trigger: PredictionJob['trigger'] = 'api'): Promise<PredictionJob> {
    const now = this.o.clock.now();
    const today = new Date(now).toISOString().slice(0, 10);
    const asOf = body.asOf ?? today;
    if (asOf > today) throw new AppError('invalid_prediction_window', 422, `asOf ${asOf} is in the future (today is ${today})`, { field: 'asOf' });
    const rfm = await this.o.rfm.settings();
    const settings: RefitSettings = {
      asOf,
      horizonDays: body.horizonDays ?? DEFAULT_HORIZON_DAYS,
      annualDiscountRate: body.annualDiscountRate ?? DEFAULT_DISCOUNT_RATE,
      purchaseEvent: rfm.event,
      valueProperties: rfm.valueProperties,
      viewEvent: VIEW_EVENT,
    };
    const job = await this.store.createJob(settings, trigger, now);
    this.wake?.();
    return job;
  }

  /** Runs pending jobs until none is left (the worker loop; tests call it directly). */
  async runPending(): Promise<number> {
    let n = 0;
    for (let job = await this.store.claimJob(this.o.clock.now()); job; job = await this.store.claimJob(this.o.clock.now())) {
      n++;
      const started = Date.now();
      try {
        const result = await this.execute(job);
        await this.store.finishJob(job.id, this.o.clock.now(), { result: { ...result, durationMs: Date.now() - started } });
      } catch (err) {
        this.o.onError?.(err);
        await this.store.finishJob(job.id, this.o.clock.now(), { error: err instanceof Error ? err.message : String(err) });
      }
    }
    return n;
  }

  private async execute(job: PredictionJob) {
    const s = job.settings;
    const asOfEnd = Date.parse(`${s.asOf}T00:00:00Z`) + DAY_MS - 1;
    const input = await this.store.loadInput(s, { until: asOfEnd, activitySince: asOfEnd - (s.horizonDays + ACTIVITY_DAYS) * DAY_MS });
    const out = await fitInThread(input, { asOfEnd, horizonDays: s.horizonDays, annualDiscountRate: s.annualDiscountRate });
    const { dialect } = this.o;
    return this.o.db.transaction().execute(async (trx) => {
      await dialect.lockName(trx, MEMBERSHIP_FEED_LOCK);
      const now = this.o.clock.now();
      await this.store.write(trx, job.id, now, out);
      const catalog = await loadCatalog(trx, dialect);
      const affected = withDependents(catalog, catalog.ordered.filter((d) => references(d.rule).predictions).map((d) => d.id));
      await recomputeSegments(trx, dialect, catalog, affected, now);
      return { profilesScored: out.scores.length, models: out.cards.filter((c) => c.status === 'fitted').map((c) => c.name), segmentsRecomputed: affected.length };
    });
  }

  /**
   * Queues a scheduled refit when none ran (or is queued) within the interval, counted from the last
   * job, or from this process's start when there was never one (a fresh install is not refitted on
   * an empty store at its first start).
   */
  async scheduleIfDue(): Promise<boolean> {
    if (this.o.refitHours <= 0) return false;
    const now = this.o.clock.now();
    const interval = this.o.refitHours * 3_600_000;
    if (now - this.startedAt < interval && !(await this.store.hasJobs())) return false;
    if (await this.store.activeOrRecent(now - interval)) return false;
    await this.refit({}, 'schedule');
    return true;
  }

  async recommendationsFor(profileId: string, n: number): Promise<Recommendation[]> {
    const card = await this.store.model('recommendations');
    const rfm = await this.o.rfm.settings();
    const input = await this.store.loadInput({ purchaseEvent: rfm.event, valueProperties: rfm.valueProperties, viewEvent: VIEW_EVENT }, { profileId });
    const owned = ownedItems([...input.views, ...input.purchases.flatMap((p) => p.items.map((item) => ({ profileId, item, ts: p.ts, kind: 'purchase' as const })))]);
    const neighbours = await this.store.neighboursOf([...owned.keys()]);
    return recommend({ popular: card.popularItems ?? [], neighboursOf: (item) => neighbours.get(item) ?? [] }, owned, n);
  }

  start() {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop() {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  private async run() {
    await this.store.interruptRunning(this.o.clock.now()).catch((err) => this.o.onError?.(err));
    while (this.running) {
      try {
        await this.scheduleIfDue();
        await this.runPending();
      } catch (err) {
        this.o.onError?.(err);
      }
      if (!this.running) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.o.pollMs ?? 5_000);
        this.wake = () => (clearTimeout(timer), resolve());
      });
      this.wake = null;
    }
  }
}
