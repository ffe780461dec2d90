-- Consent (src/privacy/consent): the workspace's categories, and what each profile said through the API.
-- What events say (context.consent.categoryPreferences) stays in consent_events, keyed by log offset.
CREATE TABLE consent_categories (
  id          TEXT PRIMARY KEY,            -- the categoryId events use as a key, e.g. advertising
  name        TEXT NOT NULL,
  description TEXT,
  required    INTEGER NOT NULL DEFAULT 0,  -- necessary: always allowed, cannot be refused
  created_at  BIGINT NOT NULL,
  updated_at  BIGINT NOT NULL
);

-- One row per statement through the API (the history); the latest per category wins, against events too.
CREATE TABLE consent_records (
  id          TEXT PRIMARY KEY,
  profile_id  TEXT NOT NULL,
  preferences TEXT NOT NULL,               -- {categoryId: boolean}
  source      TEXT NOT NULL,               -- api
  actor       TEXT,
  at          BIGINT NOT NULL
);
CREATE INDEX consent_records_profile ON consent_records(profile_id, at);

-- The usual categories a workspace starts with (editable; `necessary` cannot be refused).
INSERT INTO consent_categories (id, name, description, required, created_at, updated_at) VALUES
  ('necessary', 'Necessary', 'Needed for the service to work; always allowed', 1, 0, 0),
  ('analytics', 'Analytics', 'Measuring and improving the product', 0, 0, 0),
  ('marketing', 'Marketing', 'Email, SMS and messaging campaigns', 0, 0, 0),
  ('advertising', 'Advertising', 'Ad platforms: audiences and conversions', 0, 0, 0);
