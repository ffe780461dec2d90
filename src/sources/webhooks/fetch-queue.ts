// The durable queue of webhook deliveries whose events must be built from the vendor's API
// (SurveyMonkey). A verified delivery is stored first (webhook_fetches, keyed by the vendor's event
// id, so redeliveries are one row), then attempted at once; if the API is down, rate-limits or times
// out, the delivery is still acknowledged (vendors do not document retrying) and this queue retries
// with exponential backoff for up to three days. Answers that retrying cannot fix (401/403/404, an
// unusable body) and deliveries still failing after three days go to failed events.
// A lease per row lets several processes share the queue without attempting a row twice at once.
import type { FastifyBaseLogger } from 'fastify';
import type { Ingestor } from '../../ingest/index.js';
import type { FailedEvents } from '../../log/index.js';
import type { Clock } from '../../shared/clock.js';
import { AppError } from '../../shared/errors.js';
import type { Db, Dialect } from '../../storage/index.js';
import type { ConnectorStore } from '../connector-store.js';
import type { WebhookConfig } from './schema.js';
import { bearerClient, VendorApiError } from './vendor-api.js';
import { VENDORS } from './vendors.js';
import './tables.js';

const TICK_MS = 5_000;
const LEASE_MS = 2 * 60_000;
const FIRST_RETRY_MS = 30_000;
const MAX_RETRY_MS = 60 * 60_000;
const GIVE_UP_MS = 3 * 24 * 3600_000;
const BATCH = 20;

export interface VendorApiConfig {
  baseUrl?: string;
}

type IngestResult = Awaited<ReturnType<Ingestor['ingestForSource']>>;

export type FetchOutcome =
  | { kind: 'done'; result: IngestResult }
  | { kind: 'retry'; error: string; nextAt: number }
  | { kind: 'failed'; error: string }
  /** Another process holds the row, or it was completed meanwhile. */
  | { kind: 'busy' };

export class WebhookFetchQueue {
  private timer?: NodeJS.Timeout;
  private ticking?: Promise<unknown>;

  constructor(
    private readonly deps: { db: Db; dialect: Dialect; connectors: ConnectorStore; ingestor: Ingestor; failed: FailedEvents; clock: Clock; log: FastifyBaseLogger },
  ) {}

  start() {
    this.timer = setInterval(() => {
      this.ticking ??= this.runDue()
        .catch((err) => this.deps.log.error({ err }, 'webhook API fetch queue failed'))
        .finally(() => (this.ticking = undefined));
    }, TICK_MS);
    this.timer.unref();
  }

  async stop() {
    clearInterval(this.timer);
    await this.ticking;
  }

  /** Stores a verified delivery; a redelivery of the same vendor event id changes nothing. */
  async enqueue(sourceId: string, deliveryId: string, payload: unknown): Promise<void> {
    const now = this.deps.clock.now();
    await this.deps.db
      .insertInto('webhook_fetches')
      .values({ source_id: sourceId, delivery_id: deliveryId, payload: JSON.stringify(payload), attempts: 0, next_at: now, lease_until: null, last_error: null, created_at: now })
      .onConflict((oc) => oc.columns(['source_id', 'delivery_id']).doNothing())
      .execute();
  }

  /** Attempts every row that is due; returns how many were attempted. */
  async runDue(): Promise<number> {
    const now = this.deps.clock.now();
    const due = await this.deps.db
      .selectFrom('webhook_fetches')
      .select(['source_id', 'delivery_id'])
      .where('next_at', '<=', now)
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
      .orderBy('next_at')
      .limit(BATCH)
      .execute();
    for (const row of due) await this.attempt(row.source_id, row.delivery_id);
    return due.length;
  }

  async pending(sourceId: string) {
    return this.deps.db.selectFrom('webhook_fetches').selectAll().where('source_id', '=', sourceId).orderBy('created_at').execute();
  }

  async attempt(sourceId: string, deliveryId: string): Promise<FetchOutcome> {
    const { db, clock } = this.deps;
    const now = clock.now();
    const claimed = await db
      .updateTable('webhook_fetches')
      .set({ lease_until: now + LEASE_MS })
      .where('source_id', '=', sourceId)
      .where('delivery_id', '=', deliveryId)
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) return { kind: 'busy' };
    const row = await db.selectFrom('webhook_fetches').selectAll().where('source_id', '=', sourceId).where('delivery_id', '=', deliveryId).executeTakeFirstOrThrow();
    const payload = this.deps.dialect.parseJson(row.payload);
    try {
      const result = await this.deps.ingestor.ingestForSource(sourceId, await this.fetchMessages(sourceId, payload));
      await this.remove(sourceId, deliveryId);
      return { kind: 'done', result };
    } catch (err) {
      const message = (err as Error).message;
      const retryable = err instanceof VendorApiError ? err.transient : !(err instanceof AppError) || err.status >= 500 || err.status === 429 || err.code === 'source_disabled';
      if (retryable && clock.now() - row.created_at < GIVE_UP_MS) {
        const nextAt = clock.now() + Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** row.attempts);
        await db
          .updateTable('webhook_fetches')
          .set({ attempts: row.attempts + 1, next_at: nextAt, lease_until: null, last_error: message })
          .where('source_id', '=', sourceId)
          .where('delivery_id', '=', deliveryId)
          .execute();
        this.deps.log.warn({ sourceId, deliveryId, attempts: row.attempts + 1, err: message }, 'webhook API fetch failed; will retry');
        return { kind: 'retry', error: message, nextAt };
      }
      const code = err instanceof AppError ? err.code : retryable ? 'vendor_api_gave_up' : 'vendor_api_refused';
      const reason = retryable ? `still failing after ${row.attempts + 1} attempts over 3 days: ${message}` : message;
      await this.deps.failed.record([{ sourceId, messageId: null, stage: 'webhook', code, reason, payload, failedAt: clock.now() }]);
      await this.remove(sourceId, deliveryId);
      return { kind: 'failed', error: reason };
    }
  }

  private async fetchMessages(sourceId: string, payload: unknown) {
    const { connectors } = this.deps;
    const webhook = await connectors.get<WebhookConfig>(sourceId, 'webhook');
    const apiFetch = webhook && VENDORS[webhook.config.vendor]?.apiFetch;
    const api = await connectors.get<VendorApiConfig>(sourceId, 'vendor_api');
    const token = api && (await connectors.secret(sourceId, 'vendor_api'));
    if (!apiFetch || !api || !token) throw new AppError('vendor_api_not_configured', 400, `source ${sourceId} no longer has a webhook vendor API access token`);
    return apiFetch.messages(payload, bearerClient(api.config.baseUrl ?? apiFetch.defaultBaseUrl, token, webhook.config.vendor));
  }

  private async remove(sourceId: string, deliveryId: string) {
    await this.deps.db.deleteFrom('webhook_fetches').where('source_id', '=', sourceId).where('delivery_id', '=', deliveryId).execute();
  }
}
