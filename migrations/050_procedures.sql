-- Interlinked procedures (liên thông, docs/procedures.md): groups as data, cases and their steps. PostgreSQL is
-- the truth; a BullMQ job of a step (job id = case id + step id) is only a wake-up call, rebuilt by the sweeper.

-- A group's current version; every version stays in procedure_group_versions (cases keep the one they were filed with).
CREATE TABLE procedure_groups (
  id          text PRIMARY KEY,
  version     integer NOT NULL,
  source      text NOT NULL CHECK (source IN ('file', 'admin')),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  updated_by  text
);

CREATE TABLE procedure_group_versions (
  group_id    text NOT NULL,
  version     integer NOT NULL,
  definition  jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  created_by  text,
  PRIMARY KEY (group_id, version)
);

CREATE TABLE procedure_cases (
  id               uuid PRIMARY KEY,
  client_id        text NOT NULL,
  group_id         text NOT NULL,
  group_version    integer NOT NULL,
  status           text NOT NULL DEFAULT 'running' CHECK (status IN
                   ('running', 'awaiting-supplement', 'needs-attention', 'completed', 'completed-with-failures', 'cancelled')),
  agency_code      text NOT NULL,
  province_code    text NOT NULL,
  -- the parent (liên thông) dossier on the portal; each sub-procedure has its own, in procedure_steps
  dossier_code     text NOT NULL UNIQUE,
  idempotency_key  text NOT NULL,
  body_hash        text NOT NULL,
  filing           jsonb NOT NULL,
  -- chosen optional steps (group 2: funeral allowance, survivor benefit)
  chosen           text[] NOT NULL DEFAULT '{}',
  traceparent      text,
  overdue          boolean NOT NULL DEFAULT false,
  filed_at         timestamptz NOT NULL DEFAULT now(),
  finished_at      timestamptz,
  cancel_reason    text,
  updated_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (client_id, idempotency_key),
  FOREIGN KEY (group_id, group_version) REFERENCES procedure_group_versions (group_id, version)
);

CREATE INDEX procedure_cases_status ON procedure_cases (status, filed_at DESC, id);
CREATE INDEX procedure_cases_group ON procedure_cases (group_id, filed_at DESC, id);
CREATE INDEX procedure_cases_province ON procedure_cases (province_code, filed_at DESC, id);
CREATE INDEX procedure_cases_filed ON procedure_cases (filed_at DESC, id);

CREATE TABLE procedure_steps (
  case_id          uuid NOT NULL REFERENCES procedure_cases (id) ON DELETE CASCADE,
  step_id          text NOT NULL,
  status           text NOT NULL CHECK (status IN ('pending', 'ready', 'running', 'retrying', 'awaiting-supplement',
                   'completed', 'failed', 'stopped', 'skipped', 'cancelled')),
  -- a new round (new step key) after a supplement or an admin retry of a refusal; retries of one round keep the key
  round            integer NOT NULL DEFAULT 1,
  dossier_code     text,
  portal_status    smallint,
  attempts_made    integer NOT NULL DEFAULT 0,
  attempts_base    integer NOT NULL DEFAULT 0,
  current_attempt  bigint,
  lease_until      timestamptz,
  -- true from the moment a call may have reached the national system until its answer is recorded
  in_doubt         boolean NOT NULL DEFAULT false,
  next_attempt_at  timestamptz,
  outputs          jsonb,
  missing          jsonb,
  -- why a step failed: refused (answered so), exhausted (retries used up), supplement-expired, invalid-input
  failure          text,
  reason           text,
  last_error       text,
  ready_at         timestamptz,
  started_at       timestamptz,
  finished_at      timestamptz,
  deadline_at      timestamptz,
  overdue          boolean NOT NULL DEFAULT false,
  updated_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (case_id, step_id)
);

CREATE INDEX procedure_steps_active ON procedure_steps (updated_at) WHERE status IN ('ready', 'running', 'retrying', 'awaiting-supplement');
CREATE INDEX procedure_steps_deadline ON procedure_steps (deadline_at) WHERE NOT overdue AND status IN ('pending', 'ready', 'running', 'retrying', 'awaiting-supplement');

CREATE TABLE procedure_step_attempts (
  id           bigserial PRIMARY KEY,
  case_id      uuid NOT NULL,
  step_id      text NOT NULL,
  round        integer NOT NULL,
  n            integer NOT NULL,
  started_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz,
  outcome      text CHECK (outcome IN ('completed', 'supplement-required', 'refused', 'retry', 'failed', 'interrupted', 'discarded')),
  upstream_status integer,
  error        text,
  duration_ms  real,
  FOREIGN KEY (case_id, step_id) REFERENCES procedure_steps (case_id, step_id) ON DELETE CASCADE
);

CREATE INDEX procedure_step_attempts_step ON procedure_step_attempts (case_id, step_id, id);

CREATE TABLE procedure_supplements (
  id           uuid PRIMARY KEY,
  case_id      uuid NOT NULL REFERENCES procedure_cases (id) ON DELETE CASCADE,
  client_id    text NOT NULL,
  body         jsonb NOT NULL,
  resumed      text[] NOT NULL DEFAULT '{}',
  received_at  timestamptz NOT NULL DEFAULT now()
);

-- Admin decisions on failed steps (retry, skip), with their reason.
CREATE TABLE procedure_step_actions (
  id         bigserial PRIMARY KEY,
  case_id    uuid NOT NULL,
  step_id    text NOT NULL,
  action     text NOT NULL CHECK (action IN ('retry', 'skip')),
  reason     text NOT NULL,
  by_client  text NOT NULL,
  at         timestamptz NOT NULL DEFAULT now()
);

-- Sub-procedure dossier codes issued by the gateway: per receiving agency and day, counting down from 9999
-- (one-stop systems count up from 0001).
CREATE TABLE procedure_code_counters (
  agency_code  text NOT NULL,
  day          text NOT NULL,
  last         integer NOT NULL,
  PRIMARY KEY (agency_code, day)
);
