-- App push device tokens (FCM registration tokens) seen on events (context.device.token) and in
-- identify traits (pushToken / pushTokens). Keyed by token: a device that changes hands belongs to
-- whoever used it last. The owner is found through profile_events by the seq of the last event that
-- carried the token, so identity merges and unmerges need no rewrite here. Personal data: deleted
-- with the profile (GDPR) through that join.
CREATE TABLE push_tokens (
  token      TEXT PRIMARY KEY,
  seq        INTEGER NOT NULL,            -- the last event that carried the token
  platform   TEXT,                        -- context.device.type / context.os.name (ios, android, web)
  app        TEXT,                        -- context.app.namespace when given
  first_seen INTEGER NOT NULL,
  last_seen  INTEGER NOT NULL
);
CREATE INDEX push_tokens_seq ON push_tokens(seq);

-- Which tokens one push delivery already reached: FCM has no idempotency key and one delivery fans out
-- to every device of the profile, so a retry after a partial failure sends only to the devices it
-- missed. Purged with the destination's finished deliveries.
CREATE TABLE push_sends (
  destination_id  TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  token           TEXT NOT NULL,
  sent_at         INTEGER NOT NULL,
  PRIMARY KEY (destination_id, idempotency_key, token)
);
CREATE INDEX push_sends_age ON push_sends(destination_id, sent_at);
