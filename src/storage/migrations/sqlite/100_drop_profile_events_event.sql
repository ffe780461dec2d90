-- The (event, ts) index on the timeline cost the identity stage ~12 % of its throughput (one more B-tree
-- insert per event) and no query needs it any more: segment measures read through (profile_id, event, ts)
-- (event-measures.ts), timelines through (profile_id, ts); only the RFM batch filtered by event alone,
-- and it reads most of the table anyway.
DROP INDEX profile_events_event;
