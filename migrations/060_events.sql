-- Events from the national systems to the provincial systems (issue 21, docs/events.md): an event log, the
-- subscriptions of provincial systems and one delivery row per (subscription, event). PostgreSQL is the truth;
-- BullMQ jobs only wake the delivery lanes up and are rebuilt by the sweeper.

-- The event log. `seq` is the global order and the pull API's cursor: events are inserted under a transaction
-- advisory lock (src/events/ingest.ts), so seq order is commit order and a reader never skips an event that
-- commits later with a smaller seq. (source, source_event_id) unique: an event is recorded once, however often
-- a source hands it over (pull pages after a crash, a push resent).
CREATE TABLE events (
  seq              bigserial PRIMARY KEY,
  id               uuid NOT NULL UNIQUE,
  type             text NOT NULL,
  source           text NOT NULL,
  source_event_id  text NOT NULL,
  occurred_at      timestamptz NOT NULL,
  recorded_at      timestamptz NOT NULL DEFAULT now(),
  -- keyed hash (audit key) of what orders deliveries: the dossier, the person, the unit
  subject_key      text NOT NULL,
  -- keyed hashes of the personal identifiers concerned (the audit trail's form)
  subject_hashes   text[] NOT NULL DEFAULT '{}',
  -- routing by today's units (resolved at ingestion), agency and procedure (national and local code)
  province_codes   text[] NOT NULL DEFAULT '{}',
  commune_codes    text[] NOT NULL DEFAULT '{}',
  agency_id        text,
  procedure_codes  text[] NOT NULL DEFAULT '{}',
  case_id          text,
  -- the envelope delivered to subscribers (id, type, timestamp, source, units, data), as the exact JSON text signed
  body             text NOT NULL,
  UNIQUE (source, source_event_id)
);

CREATE INDEX events_type_seq ON events (type, seq);

-- Subscriptions of provincial systems. A NULL filter member matches anything; a NULL callback_url is a pull
-- subscription (GET /v1/events). Signing secrets (whsec_…) are stored encrypted, with their expiry during a
-- rotation's overlap.
CREATE TABLE event_subscriptions (
  id               text PRIMARY KEY,
  client_id        text NOT NULL,
  event_types      text[] NOT NULL,
  provinces        text[],
  communes         text[],
  agencies         text[],
  procedures       text[],
  callback_url     text,
  purpose          text NOT NULL,
  retry_attempts   integer NOT NULL,
  retry_base_ms    integer NOT NULL,
  retry_max_ms     integer NOT NULL,
  secrets          jsonb NOT NULL DEFAULT '[]',
  enabled          boolean NOT NULL DEFAULT true,
  version          integer NOT NULL DEFAULT 1,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX event_subscriptions_client ON event_subscriptions (client_id);

-- One delivery per (subscription, event). Per subject, a delivery is attempted only once every earlier one of
-- the same subject and subscription is delivered (a dead letter holds the later ones back until it is replayed).
CREATE TABLE event_deliveries (
  subscription_id  text NOT NULL REFERENCES event_subscriptions (id) ON DELETE CASCADE,
  event_seq        bigint NOT NULL REFERENCES events (seq),
  subject_key      text NOT NULL,
  status           text NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'delivering', 'retrying', 'delivered', 'failed')),
  -- attempts made; a replay moves attempts_base up to give a new budget
  attempts         integer NOT NULL DEFAULT 0,
  attempts_base    integer NOT NULL DEFAULT 0,
  lease_until      timestamptz,
  next_attempt_at  timestamptz,
  last_attempt_at  timestamptz,
  last_status      integer,
  last_error       text,
  last_duration_ms real,
  delivered_at     timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (subscription_id, event_seq)
);

CREATE INDEX event_deliveries_open ON event_deliveries (subscription_id, event_seq)
  WHERE status IN ('pending', 'delivering', 'retrying');
CREATE INDEX event_deliveries_subject ON event_deliveries (subscription_id, subject_key, event_seq)
  WHERE status <> 'delivered';
CREATE INDEX event_deliveries_status ON event_deliveries (subscription_id, status, event_seq);

-- Sources pulled with a cursor: the cursor advances in the same transaction as the events of its page; one
-- puller at a time holds the lease.
CREATE TABLE event_source_cursors (
  source           text PRIMARY KEY,
  cursor           text,
  leased_by        text,
  lease_until      timestamptz,
  pulled_at        timestamptz,
  events_total     bigint NOT NULL DEFAULT 0,
  last_error       text,
  updated_at       timestamptz NOT NULL DEFAULT now()
);

-- Sources that push (POST /v1/events/push/{id}), signed as Standard Webhooks with their own secrets.
CREATE TABLE event_push_sources (
  id               text PRIMARY KEY,
  description      text NOT NULL DEFAULT '',
  event_types      text[] NOT NULL,
  secrets          jsonb NOT NULL DEFAULT '[]',
  enabled          boolean NOT NULL DEFAULT true,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);

-- Message ids of pushes received within the replay window: the same id again is refused.
CREATE TABLE event_push_receipts (
  source           text NOT NULL,
  message_id       text NOT NULL,
  received_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (source, message_id)
);

CREATE INDEX event_push_receipts_received ON event_push_receipts (received_at);
