// How the pipeline is doing, per stage: how far behind its feed (lag), failures in a row, items set
// aside, and whether it is stuck — for GET /v1/pipeline/health and /metrics. /readyz stays what load
// balancers need ("this process accepts events"): ingestion goes on while a stage is stuck, and
// taking the API out of rotation for it would lose events instead of delaying them.
import { Type, type Static } from '@sinclair/typebox';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Db } from '../storage/index.js';
import { Stage } from './stage.js';
import { openFailureCounts } from './stage-failures.js';

/** A running stage that failed for this long in a row, or made no progress while behind, is stuck. */
export const DEFAULT_STUCK_AFTER_MS = 60_000;

export const StageHealth = Type.Object({
  stage: Type.String(),
  /** Whether this process runs the stage (API-role processes leave stages to workers). */
  running: Type.Boolean(),
  position: Type.Integer(),
  head: Type.Union([Type.Integer(), Type.Null()]),
  /** head − position: items waiting. */
  lag: Type.Union([Type.Integer(), Type.Null()]),
  consecutiveFailures: Type.Integer(),
  lastError: Type.Union([Type.String(), Type.Null()]),
  lastErrorAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  lastProgressAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  /** Items set aside and not replayed yet (GET /v1/pipeline/failures). */
  setAside: Type.Integer(),
  stuck: Type.Boolean(),
  reason: Type.Union([Type.String(), Type.Null()]),
});
export const PipelineHealth = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('stuck')]),
  stages: Type.Array(StageHealth),
});
export type PipelineHealth = Static<typeof PipelineHealth>;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export async function pipelineHealth(db: Db, stages: Stage<unknown>[], now: number, stuckAfterMs = DEFAULT_STUCK_AFTER_MS): Promise<PipelineHealth> {
  const open = await openFailureCounts(db);
  const report = await Promise.all(
    stages.map(async (stage) => {
      const [position, head] = await Promise.all([Stage.position(db, stage.name), stage.head() ?? null]);
      const s = stage.status;
      const lag = head === null ? null : Math.max(0, head - position);
      const failing = s.failingSince !== null && now - s.failingSince >= stuckAfterMs;
      const stalled = !!lag && s.lastProgressAt !== null && now - s.lastProgressAt >= stuckAfterMs;
      let reason: string | null = null;
      if (s.running && (failing || stalled))
        reason =
          s.failingSince !== null
            ? `failing for ${Math.round((now - s.failingSince) / 1000)} s (${s.consecutiveFailures} attempts in a row): ${s.lastError}`
            : `no progress for ${Math.round((now - s.lastProgressAt!) / 1000)} s with ${lag} items waiting`;
      return {
        stage: stage.name,
        running: s.running,
        position,
        head,
        lag,
        consecutiveFailures: s.consecutiveFailures,
        lastError: s.lastError,
        lastErrorAt: iso(s.lastErrorAt),
        lastProgressAt: iso(s.lastProgressAt),
        setAside: open.get(stage.name) ?? 0,
        stuck: reason !== null,
        reason,
      };
    }),
  );
  return { status: report.some((r) => r.stuck) ? 'stuck' : 'ok', stages: report };
}

/** Per-stage metrics, read at scrape time from one health report. */
export function registerStageMetrics(registry: Registry, read: () => Promise<PipelineHealth>, stages: Stage<unknown>[]) {
  let scrape: { at: number; report: Promise<PipelineHealth> } | null = null;
  // The gauges of one scrape share one report (they are collected one after the other).
  const current = () => {
    if (!scrape || Date.now() - scrape.at > 500) scrape = { at: Date.now(), report: read() };
    return scrape.report;
  };
  const gauge = (name: string, help: string, value: (s: PipelineHealth['stages'][number]) => number | null) =>
    new Gauge({
      name,
      help,
      labelNames: ['stage'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const s of (await current()).stages) {
          const v = value(s);
          if (v !== null) this.set({ stage: s.stage }, v);
        }
      },
    });
  gauge('meridian_stage_lag', 'Items of the stage feed not yet processed (feed head − stage position)', (s) => s.lag);
  gauge('meridian_stage_consecutive_failures', 'Failed attempts of the stage since its last commit, in this process', (s) => s.consecutiveFailures);
  gauge('meridian_stage_failures_open', 'Items the stage set aside that were not replayed yet (GET /v1/pipeline/failures)', (s) => s.setAside);
  gauge('meridian_stage_stuck', '1 when the stage is stuck: failing, or not progressing while behind (GET /v1/pipeline/health)', (s) => (s.stuck ? 1 : 0));
  new Counter({
    name: 'meridian_stage_items_set_aside_total',
    help: 'Items the stage set aside after bounded retries, in this process',
    labelNames: ['stage'],
    registers: [registry],
    collect() {
      this.reset();
      for (const stage of stages) this.inc({ stage: stage.name }, stage.status.setAside);
    },
  });
}
