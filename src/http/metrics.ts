// Prometheus metrics: one registry per server instance (tests run several in one process).
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class Metrics {
  readonly registry = new Registry();
  readonly eventsAccepted = new Counter({
    name: 'meridian_events_accepted_total',
    help: 'Events written to the event log',
    labelNames: ['source_id'],
    registers: [this.registry],
  });
  readonly eventsDuplicate = new Counter({
    name: 'meridian_events_duplicate_total',
    help: 'Events acknowledged but not stored again (same source and messageId within the dedupe window)',
    labelNames: ['source_id'],
    registers: [this.registry],
  });
  readonly eventsRejected = new Counter({
    name: 'meridian_events_rejected_total',
    help: 'Tracking requests or batch items rejected, by error code',
    labelNames: ['code'],
    registers: [this.registry],
  });
  readonly ackLatency = new Histogram({
    name: 'meridian_ingest_ack_seconds',
    help: 'Time from request received to acknowledgement (after durable commit)',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}
