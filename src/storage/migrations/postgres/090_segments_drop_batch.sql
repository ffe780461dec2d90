-- The batch recompute keeps its new member sets in a per-connection temp table (segment_batch_members,
-- src/segments/recompute.ts): no journal writes for scratch rows. The shared scratch table is unused.
DROP TABLE segment_batch;
