-- When an identifier joined the profile that holds it: the canonical key (event time, then source and
-- message id) of the event that attached it or merged its profile into this one. A late event whose
-- identifiers all joined one profile before it resolves the same in canonical order as now, so the
-- identity stage folds it in without replaying the component (src/identity/engine.ts). Rows written
-- before this column existed keep NULL, "unknown": their late events are replayed as before.
ALTER TABLE identity_identifiers ADD COLUMN since_ts BIGINT;
ALTER TABLE identity_identifiers ADD COLUMN since_tie TEXT;
