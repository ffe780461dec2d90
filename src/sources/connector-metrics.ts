// Source connectors that cannot run (a secret sealed under another key, a database or broker that
// refuses them): their last recorded error, as a gauge read from the store at scrape time.
import { Gauge, type Registry } from 'prom-client';
import type { Db } from '../storage/index.js';

export function registerConnectorMetrics(registry: Registry, db: Db) {
  new Gauge({
    name: 'meridian_source_connector_errored',
    help: '1 when the source connector (db_sync, mqtt, …) failed its last run or start; the reason is its lastError in the API',
    labelNames: ['source_id', 'kind'],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await db.selectFrom('source_connectors').select(['source_id', 'kind']).where('last_error', 'is not', null).execute();
      for (const r of rows) this.set({ source_id: r.source_id, kind: r.kind }, 1);
    },
  });
}
