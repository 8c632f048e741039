-- Deliveries to the National Public Service Portal (architecture.md §3.4). PostgreSQL is the truth; the BullMQ
-- job of a delivery (job id = delivery id) is only a wake-up call and can be rebuilt by the reconciler.

-- One row per dossier code: its owner, its last accepted status (transition checks) and the last sequence
-- number given to one of its deliveries (per-dossier order).
CREATE TABLE dossiers (
  code        text PRIMARY KEY,
  client_id   text NOT NULL,
  status      smallint NOT NULL CHECK (status BETWEEN 1 AND 10),
  last_seq    integer NOT NULL DEFAULT 1,
  on_portal   boolean NOT NULL DEFAULT false,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE deliveries (
  id               uuid PRIMARY KEY,
  client_id        text NOT NULL,
  service          text NOT NULL CHECK (service IN ('dossier.sync', 'dossier.progress')),
  dossier_code     text NOT NULL REFERENCES dossiers (code),
  seq              integer NOT NULL,
  idempotency_key  text NOT NULL,
  body_hash        text NOT NULL,
  payload          jsonb NOT NULL,
  status           text NOT NULL DEFAULT 'queued'
                   CHECK (status IN ('queued', 'delivering', 'retrying', 'delivered', 'failed')),
  traceparent      text,
  -- attempts made (portal calls started); a replay by an admin moves attempts_base up to give a new budget
  attempts_made    integer NOT NULL DEFAULT 0,
  attempts_base    integer NOT NULL DEFAULT 0,
  -- the attempt holding the delivery, and until when (a worker that died loses it when the lease ends)
  current_attempt  bigint,
  lease_until      timestamptz,
  -- true from the moment a request may have reached the portal until its outcome is known
  in_doubt         boolean NOT NULL DEFAULT false,
  next_attempt_at  timestamptz,
  last_error       text,
  delivered_at     timestamptz,
  -- how the portal took it: sent (applied by this call) or already (found applied after a doubtful attempt)
  applied          text CHECK (applied IN ('sent', 'already')),
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (client_id, idempotency_key),
  UNIQUE (dossier_code, seq)
);

CREATE INDEX deliveries_unfinished ON deliveries (id) WHERE status IN ('queued', 'delivering', 'retrying');
CREATE INDEX deliveries_status_created ON deliveries (status, created_at);

-- Every attempt: started before the call (outcome NULL while in flight), finished with its outcome.
CREATE TABLE delivery_attempts (
  id               bigserial PRIMARY KEY,
  delivery_id      uuid NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
  n                integer NOT NULL,
  started_at       timestamptz NOT NULL DEFAULT now(),
  finished_at      timestamptz,
  outcome          text CHECK (outcome IN ('delivered', 'already-applied', 'retry', 'failed', 'interrupted')),
  upstream_status  integer,
  upstream_code    text,
  error            text,
  duration_ms      real
);

CREATE INDEX delivery_attempts_delivery ON delivery_attempts (delivery_id, id);
