-- Upload sessions (Meta Custom Audiences): a logical upload split into several requests carries one
-- session id and a 1-based batch number per request. Kept on the rows so a retried batch (or one
-- re-sent after a crash) goes out with the same session id and batch number.
-- session_id: int64 as decimal text, unique per upload. session_seq: 1-based request number.
-- session_batches: requests in the session (the last has seq = batches). session_total: rows in it.
ALTER TABLE deliveries ADD COLUMN session_id TEXT;
ALTER TABLE deliveries ADD COLUMN session_seq INTEGER;
ALTER TABLE deliveries ADD COLUMN session_batches INTEGER;
ALTER TABLE deliveries ADD COLUMN session_total INTEGER;
CREATE INDEX deliveries_session ON deliveries(session_id, session_seq);
-- Retention deletes finished rows by age.
CREATE INDEX deliveries_finished ON deliveries(destination_id, status, delivered_at);
