-- Per-client limits (admin-configurable) and revoked access tokens.
ALTER TABLE clients ADD COLUMN limits jsonb NOT NULL DEFAULT '{}'::jsonb;

-- A revoked token stays refused until it would have expired anyway (tokens live at most 15 minutes).
CREATE TABLE revoked_tokens (
  jti         text PRIMARY KEY,
  client_id   text,
  expires_at  timestamptz NOT NULL,
  revoked_at  timestamptz NOT NULL DEFAULT now(),
  revoked_by  text
);
CREATE INDEX revoked_tokens_expires_at ON revoked_tokens (expires_at);
