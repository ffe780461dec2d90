// Schedules and runs database syncs: every intervalSeconds each db_sync source reads the rows after
// its cursor in batches, ingests them, and stores the new cursor after every batch — so a restart
// continues where the last committed batch ended, and a batch re-read after a crash dedupes on its
// deterministic messageIds. A lease in source_connectors keeps one process per source at a time.
import type { FastifyBaseLogger } from 'fastify';
import type { Ingestor } from '../../ingest/index.js';
import type { FailedEvents } from '../../log/index.js';
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
  private readonly inFlight = new Map<string, Promise<RunResult>>();

  constructor(private readonly deps: { connectors: ConnectorStore; ingestor: Ingestor; failed: FailedEvents; clock: Clock; log: FastifyBaseLogger }) {}

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
  private async leased(c: Connector<DbSyncSettings, DbSyncState>): Promise<RunResult | undefined> {
    const lease = await this.deps.connectors.claim(c.sourceId, 'db_sync', LEASE_MS);
    if (lease === null) return undefined;
    const run = this.run(c).finally(() => {
      this.inFlight.delete(c.sourceId);
      return this.deps.connectors.release(c.sourceId, 'db_sync', lease);
    });
    this.inFlight.set(c.sourceId, run);
    return run;
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
          await this.ingest(c.sourceId, settings, rows, result);
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

  private async ingest(sourceId: string, settings: DbSyncSettings, rows: Record<string, unknown>[], result: RunResult) {
    const messages: Record<string, unknown>[] = [];
    const failures: Parameters<FailedEvents['record']>[0] = [];
    const failedAt = this.deps.clock.now();
    for (const row of rows) {
      try {
        messages.push(mapRow(settings, row));
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        failures.push({ sourceId, messageId: null, stage: 'db_sync', code: err.code, reason: err.message, payload: row, failedAt });
      }
    }
    if (messages.length > 0) {
      try {
        const res = await this.deps.ingestor.ingestForSource(sourceId, messages);
        result.accepted += res.accepted;
        result.duplicates += res.duplicates;
        // Partly invalid batches: the Ingestor has kept the invalid rows in failed events.
        result.failed += res.rejected.length;
      } catch (err) {
        // Every row of the batch invalid: keep them all, and move on past them.
        if (!(err instanceof AppError) || err.code !== 'invalid_batch') throw err;
        for (const m of messages) failures.push({ sourceId, messageId: m.messageId as string, stage: 'db_sync', code: err.code, reason: err.message, payload: m, failedAt });
      }
    }
    result.failed += failures.length;
    await this.deps.failed.record(failures);
  }
}
