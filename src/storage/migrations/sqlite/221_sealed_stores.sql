-- Field encryption at rest of the stores that copy event content (docs/privacy.md#encryption-at-rest):
-- each sealed JSON column gets a sibling naming the data key it is sealed with (NULL: in clear,
-- written without a KEK or before one was set). Indexed: key rotation looks for values not under
-- the active key (src/shared/encryption/sealed-json.ts).
ALTER TABLE log.events ADD COLUMN payload_key TEXT;
CREATE INDEX log.events_payload_key ON events(payload_key);
ALTER TABLE deliveries ADD COLUMN payload_key TEXT;
CREATE INDEX deliveries_payload_key ON deliveries(payload_key);
ALTER TABLE journey_enrollments ADD COLUMN context_key TEXT;
CREATE INDEX journey_enrollments_context_key ON journey_enrollments(context_key);
ALTER TABLE stage_failures ADD COLUMN item_sealed_key TEXT;
CREATE INDEX stage_failures_item_sealed_key ON stage_failures(item_sealed_key);
