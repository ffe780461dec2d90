-- A journey send's outbox row names its journey and step, so journey stats count delivered and
-- failed sends per step with one GROUP BY (the partial index holds only journey rows: other
-- deliveries pay nothing). Rows written before this migration get them from their idempotency key,
-- journey:<journeyId>:<version>:<profileId>:<entryNo>:<stepId> (ids and step ids have no ':').
ALTER TABLE deliveries ADD COLUMN journey_id TEXT;
ALTER TABLE deliveries ADD COLUMN journey_step TEXT;
UPDATE deliveries SET journey_id = split_part(idempotency_key, ':', 2), journey_step = split_part(idempotency_key, ':', 6)
  WHERE idempotency_key LIKE 'journey:%';
CREATE INDEX deliveries_journey ON deliveries(journey_id, journey_step, status) WHERE journey_id IS NOT NULL;
