-- A journey send's outbox row names its journey and step, so journey stats count delivered and
-- failed sends per step with one GROUP BY (the partial index holds only journey rows: other
-- deliveries pay nothing). Rows written before this migration get them from their idempotency key,
-- journey:<journeyId>:<version>:<profileId>:<entryNo>:<stepId> (ids and step ids have no ':').
ALTER TABLE deliveries ADD COLUMN journey_id TEXT;
ALTER TABLE deliveries ADD COLUMN journey_step TEXT;
WITH
  a AS (SELECT id, substr(idempotency_key, 9) AS r FROM deliveries WHERE idempotency_key LIKE 'journey:%'),
  b AS (SELECT id, substr(r, 1, instr(r, ':') - 1) AS journey, substr(r, instr(r, ':') + 1) AS r FROM a),
  c AS (SELECT id, journey, substr(r, instr(r, ':') + 1) AS r FROM b),
  d AS (SELECT id, journey, substr(r, instr(r, ':') + 1) AS r FROM c),
  e AS (SELECT id, journey, substr(r, instr(r, ':') + 1) AS step FROM d)
UPDATE deliveries SET journey_id = e.journey, journey_step = e.step FROM e WHERE deliveries.id = e.id;
CREATE INDEX deliveries_journey ON deliveries(journey_id, journey_step, status) WHERE journey_id IS NOT NULL;
