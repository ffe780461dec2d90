-- Signing secrets of the webhooks this installation (the workspace) sends: one per purpose ('alerts'),
-- sealed with the installation's secret box (AES-256-GCM), created on first use.
CREATE TABLE webhook_signing_secrets (
  purpose    TEXT PRIMARY KEY,
  secret     TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
