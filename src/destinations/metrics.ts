// Prometheus metrics per destination (labels destination_id, connector), in the server's registry.
// Two kinds, because the API and worker roles may be separate processes on one store:
// - queue sizes are read from the store when /metrics is scraped (one grouped query over the
//   pending index), so every process reports the same, correct figures;
// - what happens to attempts (delivered, failed, dead-lettered, latency) and the circuit breaker
//   live in the process that delivers: counters and states of that process, as Prometheus expects
//   (sum counters over instances).
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Db } from '../storage/index.js';
import type { BreakerState } from './circuit-breaker.js';
import type { DeliveryRow } from './deliveries.js';
import type { ActiveDestination, DestinationStore } from './store.js';
import type { DeliveryStatus } from './tables.js';

/** The statuses worth a gauge: work not finished, and dead letters waiting for a replay. */
const GAUGED = ['queued', 'inflight', 'retrying', 'dead'] as const satisfies readonly DeliveryStatus[];
const CIRCUIT_VALUE: Record<BreakerState, number> = { closed: 0, half_open: 1, open: 2 };
const LABELS = ['destination_id', 'connector'] as const;

/** One recorded outcome of a delivery round: the rows and what became of them. */
export interface RecordedOutcome {
  rows: DeliveryRow[];
  /** The status the rows were given. `retrying` and `dead` follow a failed attempt. */
  status: 'delivered' | 'skipped' | 'retrying' | 'dead';
  /** The platform's HTTP status of the attempt (null: no response). */
  httpStatus: number | null;
}

export class DestinationMetrics {
  private readonly delivered: Counter<(typeof LABELS)[number]>;
  private readonly skipped: Counter<(typeof LABELS)[number]>;
  private readonly failedAttempts: Counter<(typeof LABELS)[number] | 'status'>;
  private readonly deadLettered: Counter<(typeof LABELS)[number]>;
  private readonly latency: Histogram<(typeof LABELS)[number]>;

  constructor(o: {
    registry: Registry;
    db: Db;
    store: DestinationStore;
    /** The circuit of every destination this process delivers to (none in an API-only process). */
    circuits(): Iterable<[destinationId: string, state: BreakerState]>;
    onError(err: unknown): void;
  }) {
    const registers = [o.registry];
    const labelNames = LABELS;
    this.delivered = new Counter({ name: 'meridian_destination_delivered_total', help: 'Deliveries accepted by the platform', labelNames, registers });
    this.skipped = new Counter({
      name: 'meridian_destination_skipped_total',
      help: 'Deliveries settled without a request (consent denied, opted out, profile gone)',
      labelNames,
      registers,
    });
    this.failedAttempts = new Counter({
      name: 'meridian_destination_failed_attempts_total',
      help: 'Delivery attempts that failed, by HTTP status of the response ("none": no response)',
      labelNames: [...LABELS, 'status'],
      registers,
    });
    this.deadLettered = new Counter({
      name: 'meridian_destination_dead_lettered_total',
      help: 'Deliveries moved to the dead letters (terminal response or retry budget spent)',
      labelNames,
      registers,
    });
    this.latency = new Histogram({
      name: 'meridian_destination_delivery_latency_seconds',
      help: 'Time from the change (event received, membership changed) to its delivery',
      labelNames,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 21600],
      registers,
    });

    const connectors = async () => new Map((await o.store.active()).map((d) => [d.id, d.connector.name]));
    new Gauge({
      name: 'meridian_destination_deliveries',
      help: 'Deliveries in the store by status (queued, inflight, retrying, dead), read at scrape time',
      labelNames: [...LABELS, 'status'],
      registers,
      async collect() {
        this.reset();
        try {
          const destinations = await connectors();
          if (destinations.size === 0) return;
          // Within the pending index (destination_id, status, id): cost follows the rows counted, not the table.
          const rows = await o.db
            .selectFrom('deliveries')
            .select(['destination_id', 'status', (eb) => eb.fn.countAll().as('n')])
            .where('destination_id', 'in', [...destinations.keys()])
            .where('status', 'in', GAUGED)
            .groupBy(['destination_id', 'status'])
            .execute();
          const counts = new Map(rows.map((r) => [`${r.destination_id}\n${r.status}`, Number(r.n)]));
          for (const [id, connector] of destinations)
            for (const status of GAUGED) this.set({ destination_id: id, connector, status }, counts.get(`${id}\n${status}`) ?? 0);
        } catch (err) {
          o.onError(err);
        }
      },
    });
    new Gauge({
      name: 'meridian_destination_errored',
      help: '1 when the destination cannot be used (unreadable secret, invalid settings): its deliveries are held; see GET /v1/destinations/{id}',
      labelNames: [...LABELS, 'code'],
      registers,
      async collect() {
        this.reset();
        try {
          for (const [id, e] of await o.store.errored()) this.set({ destination_id: id, connector: e.connector, code: e.code }, 1);
        } catch (err) {
          o.onError(err);
        }
      },
    });
    new Gauge({
      name: 'meridian_destination_circuit_state',
      help: 'Circuit breaker of the destination in this process: 0 closed, 1 half-open, 2 open',
      labelNames,
      registers,
      async collect() {
        this.reset();
        try {
          const destinations = await connectors();
          for (const [id, state] of o.circuits()) {
            const connector = destinations.get(id);
            if (connector) this.set({ destination_id: id, connector }, CIRCUIT_VALUE[state]);
          }
        } catch (err) {
          o.onError(err);
        }
      },
    });
  }

  /** Called by the engine once a round's outcomes are committed. */
  recorded(d: ActiveDestination, outcomes: RecordedOutcome[], now: number) {
    const labels = { destination_id: d.id, connector: d.connector.name };
    for (const { rows, status, httpStatus } of outcomes) {
      if (status === 'delivered') {
        this.delivered.inc(labels, rows.length);
        for (const row of rows) this.latency.observe(labels, Math.max(0, now - Number(row.created_at)) / 1000);
      } else if (status === 'skipped') this.skipped.inc(labels, rows.length);
      else {
        this.failedAttempts.inc({ ...labels, status: httpStatus === null ? 'none' : String(httpStatus) }, rows.length);
        if (status === 'dead') this.deadLettered.inc(labels, rows.length);
      }
    }
  }
}
