-- Personalisation placements: a named slot on a site or app, with ordered rules (conditions → content,
-- optionally A/B variants) and a default. Admin-owned configuration (not derived from the log).
CREATE TABLE placements (
  id              TEXT PRIMARY KEY,
  name            TEXT NOT NULL UNIQUE,
  description     TEXT,
  rules           JSONB NOT NULL,           -- JSON array, evaluated in order; the first match answers
  default_content JSONB,                    -- JSON answered when no rule matches (NULL: nothing to show)
  record_exposures BOOLEAN NOT NULL DEFAULT TRUE,
  created_at      BIGINT NOT NULL,
  updated_at      BIGINT NOT NULL
);
