// The pipeline stage that records the campaign parameters of page views (campaign_touches), off the
// ingest path and exactly once per event (the Stage commits rows and position together).
import { Stage, type EventLog, type StageOptions, type StoredEvent } from '../../log/index.js';
import type { Db, Dialect } from '../../storage/index.js';
import { AdSpendStore } from './store.js';

export function campaignTouchesStage(db: Db, dialect: Dialect, log: EventLog, onError: StageOptions<StoredEvent>['onError']): Stage<StoredEvent> {
  return new Stage<StoredEvent>({
    name: 'campaign-touches',
    db,
    dialect,
    feed: log.asFeed(),
    batchSize: 2_000,
    apply: (trx, items) => AdSpendStore.recordTouches(trx, dialect, items.map((i) => i.item)),
    itemKey: (e) => e.userId ?? e.anonymousId ?? null,
    onError,
  });
}
