// The identity stage: first in the pipeline, it consumes the event log and maintains the identity
// graph, profiles, the unified timeline and the profile-change feed, batch by batch, exactly once.
import { Stage, type EventLog, type StageOptions } from '../log/index.js';
import type { Db, Dialect } from '../storage/index.js';
import { IDENTITY_STAGE, type IdentityEngine } from './engine.js';
import { identityFeed, type IdentityFeed } from './input-feed.js';
import type { IdentityInput } from './prepare.js';

export function identityStage(o: {
  db: Db;
  dialect: Dialect;
  log: EventLog;
  engine: IdentityEngine;
  batchSize?: number;
  /** Where prepared events come from; by default identityFeed(db, log). */
  feed?: IdentityFeed;
  onError?: StageOptions<IdentityInput>['onError'];
}): Stage<IdentityInput> {
  return new Stage<IdentityInput>({
    name: IDENTITY_STAGE,
    db: o.db,
    dialect: o.dialect,
    feed: o.feed ?? identityFeed(o.db, o.log, o.dialect),
    // Large batches: each commit (an fsync) and each slice load is a fixed cost per batch.
    batchSize: o.batchSize ?? 5000,
    apply: (trx, items) => o.engine.applyBatch(trx, items.map((i) => i.item)),
    // The first identifier the event carries (a user id before an anonymous id, per the rules), by its
    // graph key: under field encryption a classified one is its blind index, never the value.
    itemKey: ({ event }) => event.ids[0]?.key ?? null,
    onError: o.onError,
  });
}
