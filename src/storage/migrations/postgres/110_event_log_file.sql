-- SQLite moves its event log to a file of its own in this migration; PostgreSQL keeps it in place
-- (row locks: appends and stage transactions do not contend).
SELECT 1;
