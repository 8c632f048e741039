-- Connector instances: which national system serves which service (and, for land, which provinces).
CREATE TABLE connector_instances (
  id          text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9._-]{1,63}$'),
  type        text NOT NULL,
  services    text[] NOT NULL,
  provinces   text[],
  config      jsonb NOT NULL,
  enabled     boolean NOT NULL DEFAULT true,
  version     integer NOT NULL DEFAULT 1,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
