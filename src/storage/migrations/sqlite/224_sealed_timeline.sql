-- Field encryption of the timeline (docs/privacy.md#encryption-at-rest): with a KEK, the classified
-- properties of profile_events.properties are sealed; properties_key names their data key (NULL: nothing
-- sealed in the row), so key rotation finds the rows to move.
ALTER TABLE profile_events ADD COLUMN properties_key TEXT;
CREATE INDEX profile_events_sealed ON profile_events(properties_key) WHERE properties_key IS NOT NULL;
