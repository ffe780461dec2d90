// Schedules and runs database syncs: every intervalSeconds each db_sync source reads the rows after
// its cursor in batches, ingests them, and stores the new cursor after every batch — so a restart
// continues where the last committed batch ended, and a batch re-read after a crash dedupes on its
// deterministic messageIds. A lease in source_connectors keeps one process per source at a time.
//
// A row the log refuses for a reason that is not about the whole source (not a store outage, a rate
// limit or a disabled source, which fail the run and retry it from the same cursor) is retried alone
// ITEM_ATTEMPTS times, then set aside as `db_sync:<source id>` in stage_failures and the run goes on;
// replay() ingests it again once the cause is fixed (its messageId is deterministic: once in the log).
import type { FastifyBaseLogger } from 'fastify';
import type { Ingestor } from '../../ingest/index.js';
import { ITEM_ATTEMPTS, markReplayed, openFailure, recordReplayError, setAside, type FailedEvents, type StageFault } from '../../log/index.js';
import { isTransientError } from '../../storage/transient-errors.js';
import type { Db } from '../../storage/index.js';
import type { SealedJson } from '../../shared/encryption/sealed-json.js';
import type { Clock } from '../../shared/clock.js';
import { AppError } from '../../shared/errors.js';
import type { Connector, ConnectorStore } from '../connector-store.js';
import { mapRow } from './map-row.js';
import { openReader } from './reader.js';
import type { DbSyncSettings, DbSyncState, RunResult } from './schema.js';

const TICK_MS = 2_000;
const LEASE_MS = 10 * 60_000;
/** Bounds one run so that a huge backlog is caught up over several runs, each renewing nothing. */
const MAX_BATCHES_PER_RUN = 100;
export const DEFAULT_INTERVAL_SECONDS = 60;
export const DEFAULT_BATCH_SIZE = 1000;

export class DbSyncWorker {
  private timer?: NodeJS.Timeout;
  private readonly inFlight = new Map<string, Promise<RunResult | undefined>>();

  constructor(
    private readonly deps: {
      db: Db;
      connectors: ConnectorStore;
      ingestor: Ingestor;
      failed: FailedEvents;
      /** stage_failures.item (stageItems): rows set aside are sealed at rest with a KEK. */
      items: SealedJson;
      clock: Clock;
      log: FastifyBaseLogger;
      /** Tests only: makes chosen rows fail on their way into the log. */
      fault?: StageFault;
    },
  ) {}

  /** Whether a set-aside item belongs to database sync (its stage name). */
  owns(stage: string) {
    return stage.startsWith(`${STAGE}:`);
  }

  /** Ingests a set-aside row again (POST /v1/pipeline/failures/{id}/replay). */
  async replay(id: string): Promise<void> {
    const failure = await openFailure(this.deps.db, this.deps.items, id);
    if (!failure || !this.owns(failure.stage)) throw new AppError('stage_failure_not_found', 404, `no set-aside database sync row ${id}`);
    if (failure.status !== 'open') throw new AppError('already_replayed', 409, `the item ${id} was already replayed`);
    const message = failure.item as Record<string, unknown>;
    try {
      this.deps.fault?.(failure.stage, Number(failure.position), message);
      await this.deps.ingestor.ingestForSource(failure.stage.slice(STAGE.length + 1), [message]);
    } catch (err) {
      if (!isTransientError(err)) await recordReplayError(this.deps.db, id, (err as Error).message);
      throw new AppError('replay_failed', 409, `the row still fails: ${(err as Error).message}`);
    }
    await markReplayed(this.deps.db, id, this.deps.clock.now());
  }

  start() {
    this.timer = setInterval(() => void this.tick(), TICK_MS);
    this.timer.unref();
  }

  async stop() {
    clearInterval(this.timer);
    await Promise.allSettled([...this.inFlight.values()]);
  }

  /** Runs the source's sync now (API); waits for a run this process already has in progress. */
  async runNow(sourceId: string): Promise<RunResult> {
    await this.inFlight.get(sourceId)?.catch(() => undefined);
    const c = await this.deps.connectors.require<DbSyncSettings, DbSyncState>(sourceId, 'db_sync');
    const result = await this.leased(c);
    if (!result) throw new AppError('db_sync_running', 409, `another process is running the sync of source ${sourceId}; try again when it ends`);
    return result;
  }

  private async tick() {
    try {
      const now = this.deps.clock.now();
      for (const c of await this.deps.connectors.list<DbSyncSettings, DbSyncState>('db_sync')) {
        const due = c.lastRunAt === null || now - c.lastRunAt >= (c.config.intervalSeconds ?? DEFAULT_INTERVAL_SECONDS) * 1000;
        if (due && !this.inFlight.has(c.sourceId)) void this.leased(c).catch((err) => this.deps.log.warn({ err, sourceId: c.sourceId }, 'database sync failed'));
      }
    } catch (err) {
      this.deps.log.error({ err }, 'database sync scheduling failed');
    }
  }

  /** Runs under the lease; undefined when another process holds it. */
  private leased(c: Connector<DbSyncSettings, DbSyncState>): Promise<RunResult | undefined> {
    // In flight from before the claim: a runNow in this process that arrives while the scheduled run is
    // still claiming waits for it, instead of losing the lease to it and answering db_sync_running.
    const attempt = (async () => {
      const lease = await this.deps.connectors.claim(c.sourceId, 'db_sync', LEASE_MS);
      if (lease === null) return undefined;
      try {
        return await this.run(c);
      } finally {
        await this.deps.connectors.release(c.sourceId, 'db_sync', lease);
      }
    })().finally(() => {
      if (this.inFlight.get(c.sourceId) === attempt) this.inFlight.delete(c.sourceId);
    });
    this.inFlight.set(c.sourceId, attempt);
    return attempt;
  }

  private async run(c: Connector<DbSyncSettings, DbSyncState>): Promise<RunResult> {
    const { connectors } = this.deps;
    const settings = c.config;
    const result: RunResult = { rows: 0, accepted: 0, duplicates: 0, failed: 0, cursor: c.state?.cursor ?? null };
    let rowsTotal = c.state?.rowsTotal ?? 0;
    try {
      const url = await connectors.secret(c.sourceId, 'db_sync');
      if (!url) throw new AppError('db_sync_not_configured', 400, `source ${c.sourceId} has no connection URL`);
      const reader = await openReader(url, settings);
      try {
        const batchSize = settings.batchSize ?? DEFAULT_BATCH_SIZE;
        for (let batch = 0; batch < MAX_BATCHES_PER_RUN; batch++) {
          const rows = await reader.next(result.cursor, batchSize);
          if (rows.length === 0) break;
          await this.ingest(c.sourceId, settings, rows, result, rowsTotal);
          const last = rows[rows.length - 1];
          result.cursor = { value: last[settings.cursor.column], ...(settings.cursor.idColumn ? { id: last[settings.cursor.idColumn] } : {}) };
          result.rows += rows.length;
          rowsTotal += rows.length;
          await connectors.recordRun(c.sourceId, 'db_sync', { state: { cursor: result.cursor, rowsTotal } satisfies DbSyncState, error: null });
          if (rows.length < batchSize) break;
        }
      } finally {
        await reader.close().catch(() => undefined);
      }
      if (result.rows === 0) await connectors.recordRun(c.sourceId, 'db_sync', { error: null });
      return result;
    } catch (err) {
      await connectors.recordRun(c.sourceId, 'db_sync', { error: (err as Error).message });
      throw err;
    }
  }

  /** `before`: rows of this source synced before this batch (set-aside rows are numbered after it). */
  private async ingest(sourceId: string, settings: DbSyncSettings, rows: Record<string, unknown>[], result: RunResult, before: number) {
    const messages: { ordinal: number; message: Record<string, unknown> }[] = [];
    const failures: Parameters<FailedEvents['record']>[0] = [];
    const failedAt = this.deps.clock.now();
    for (const [i, row] of rows.entries()) {
      try {
        messages.push({ ordinal: before + i + 1, message: mapRow(settings, row) });
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        failures.push({ sourceId, messageId: null, stage: 'db_sync', code: err.code, reason: err.message, payload: row, failedAt });
      }
    }
    if (messages.length > 0) {
      try {
        this.tally(result, await this.send(sourceId, messages));
      } catch (err) {
        if (err instanceof AppError && err.code === 'invalid_batch') {
          // Every row of the batch invalid: keep them all, and move on past them.
          for (const { message: m } of messages) failures.push({ sourceId, messageId: m.messageId as string, stage: 'db_sync', code: err.code, reason: err.message, payload: m, failedAt });
        } else if (aboutTheSource(err)) throw err;
        else for (const m of messages) await this.alone(sourceId, m, result);
      }
    }
    result.failed += failures.length;
    await this.deps.failed.record(failures);
  }

  private send(sourceId: string, messages: { ordinal: number; message: Record<string, unknown> }[]) {
    for (const m of messages) this.deps.fault?.(`${STAGE}:${sourceId}`, m.ordinal, m.message);
    return this.deps.ingestor.ingestForSource(sourceId, messages.map((m) => m.message));
  }

  private tally(result: RunResult, res: Awaited<ReturnType<Ingestor['ingestForSource']>>) {
    result.accepted += res.accepted;
    result.duplicates += res.duplicates;
    // Partly invalid batches: the Ingestor has kept the invalid rows in failed events.
    result.failed += res.rejected.length;
  }

  /** A batch failed for a reason about its rows: each row alone, a failing one retried, then set aside. */
  private async alone(sourceId: string, m: { ordinal: number; message: Record<string, unknown> }, result: RunResult) {
    for (let attempt = 1; ; attempt++) {
      try {
        return this.tally(result, await this.send(sourceId, [m]));
      } catch (err) {
        if (aboutTheSource(err)) throw err;
        if (attempt < ITEM_ATTEMPTS) {
          await new Promise((r) => setTimeout(r, 100 * attempt));
          continue;
        }
        const stage = `${STAGE}:${sourceId}`;
        const itemKey = (m.message.userId ?? m.message.anonymousId ?? null) as string | null;
        const code = err instanceof AppError ? err.code : 'db_sync_error';
        await setAside(this.deps.db, this.deps.items, { stage, position: m.ordinal, itemKey, code, error: (err as Error).message, item: m.message, attempts: attempt, at: this.deps.clock.now() });
        this.deps.log.error({ err, stage, position: m.ordinal, itemKey }, `database sync of source ${sourceId}: set aside row ${m.ordinal}${itemKey ? ` (${itemKey})` : ''} after ${attempt} attempts, and moved on: ${(err as Error).message}`);
        result.failed += 1;
        return;
      }
    }
  }
}

const STAGE = 'db_sync';

/** Failures the whole source shares (the store down, rate limited, disabled): the run stops and retries from its cursor. */
const aboutTheSource = (err: unknown) => isTransientError(err) || (err instanceof AppError && (err.status >= 500 || err.status === 429 || err.status === 403));
