-- Webhook deliveries that name data to fetch from the vendor's API (SurveyMonkey response_completed
-- carries ids only): kept until the fetch succeeds, so an API outage delays the event, never loses it.
CREATE TABLE webhook_fetches (
  source_id   TEXT NOT NULL REFERENCES sources(id),
  delivery_id TEXT NOT NULL,        -- the vendor's event id: a redelivery is the same row
  payload     TEXT NOT NULL,        -- the verified delivery (JSON)
  attempts    INTEGER NOT NULL,
  next_at     INTEGER NOT NULL,     -- epoch ms of the next attempt
  lease_until INTEGER,              -- epoch ms: a process attempting it holds it until then
  last_error  TEXT,
  created_at  INTEGER NOT NULL,
  PRIMARY KEY (source_id, delivery_id)
);
CREATE INDEX webhook_fetches_next ON webhook_fetches(next_at);
