-- Audit trail (architecture.md §3.6, docs/audit.md): append-only, hash-chained, partitioned by month (UTC) on the
-- event time. Append-only is enforced here, in the database:
--   * lienthong_audit_owner (NOLOGIN) owns the tables and the SECURITY DEFINER functions; nobody logs in as it;
--   * lienthong_audit_writer may INSERT and SELECT events (the gateway does SET LOCAL ROLE to it to write);
--   * lienthong_audit_reader may only SELECT (the auditor API reads as it);
--   * triggers refuse UPDATE, DELETE and TRUNCATE for everyone, superusers included; only the retention function
--     removes events, by dropping whole monthly partitions past the retention, after anchoring the chain.
-- Roles are cluster-wide and several databases may migrate at once: creations tolerate a concurrent twin.
DO $$
DECLARE r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['lienthong_audit_owner', 'lienthong_audit_writer', 'lienthong_audit_reader'] LOOP
    BEGIN
      EXECUTE format('CREATE ROLE %I NOLOGIN', r);
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
  END LOOP;
  -- The migrating role must be able to SET ROLE to the writer and reader (a superuser always can).
  FOREACH r IN ARRAY ARRAY['lienthong_audit_writer', 'lienthong_audit_reader'] LOOP
    IF NOT pg_has_role(current_user, r, 'MEMBER') THEN
      BEGIN
        EXECUTE format('GRANT %I TO %I', r, current_user);
      EXCEPTION WHEN unique_violation OR duplicate_object THEN NULL;
      END;
    END IF;
  END LOOP;
END $$;

GRANT USAGE, CREATE ON SCHEMA public TO lienthong_audit_owner;
GRANT USAGE ON SCHEMA public TO lienthong_audit_writer, lienthong_audit_reader;

CREATE TABLE audit_events (
  seq                  bigint NOT NULL,
  id                   uuid NOT NULL,
  at                   timestamptz NOT NULL,
  kind                 text NOT NULL,
  outcome              text NOT NULL,
  trace_id             text,
  span_id              text,
  request_id           text,
  client_id            text,
  end_user             text,
  purpose              text,
  case_id              text,
  service              text,
  connector            text,
  http_status          integer,
  upstream_status      integer,
  duration_ms          double precision,
  upstream_duration_ms double precision,
  request_bytes        integer,
  response_bytes       integer,
  request_hash         text,
  response_hash        text,
  error_code           text,
  subjects             text[] NOT NULL DEFAULT '{}',
  details              jsonb,
  prev_hash            text NOT NULL,
  hash                 text NOT NULL,
  PRIMARY KEY (id, at)
) PARTITION BY RANGE (at);

CREATE INDEX audit_events_seq ON audit_events (seq);
CREATE INDEX audit_events_trace ON audit_events (trace_id) WHERE trace_id IS NOT NULL;
CREATE INDEX audit_events_client ON audit_events (client_id, seq);
CREATE INDEX audit_events_case ON audit_events (case_id) WHERE case_id IS NOT NULL;
CREATE INDEX audit_events_subjects ON audit_events USING gin (subjects);

-- The end of the chain: the writer takes this row FOR UPDATE, so writers on every instance append in turn.
CREATE TABLE audit_chain_head (
  id        smallint PRIMARY KEY CHECK (id = 1),
  last_seq  bigint NOT NULL,
  last_hash text NOT NULL
);
INSERT INTO audit_chain_head VALUES (1, 0, repeat('0', 64));

-- Hashes of events whose successor lived in another partition, saved before a partition is dropped:
-- verification continues across what retention removed.
CREATE TABLE audit_chain_anchors (
  seq            bigint PRIMARY KEY,
  hash           text NOT NULL,
  partition_name text NOT NULL,
  dropped_at     timestamptz NOT NULL DEFAULT now()
);

-- Set by the DBA, not by the gateway: the retention the gateway asks for can never go below this floor.
CREATE TABLE audit_settings (
  id                    smallint PRIMARY KEY CHECK (id = 1),
  min_retention_months  integer NOT NULL CHECK (min_retention_months >= 1)
);
INSERT INTO audit_settings VALUES (1, 12);

-- The subject-hashing key when AUDIT_KEY is not configured (development): generated once, kept here.
CREATE TABLE audit_local_key (
  id   smallint PRIMARY KEY CHECK (id = 1),
  key  text NOT NULL
);

CREATE FUNCTION audit_forbid_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit trail is append-only: % on % refused', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_forbid_change();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_forbid_change();
CREATE TRIGGER audit_anchors_append_only BEFORE UPDATE OR DELETE ON audit_chain_anchors
  FOR EACH ROW EXECUTE FUNCTION audit_forbid_change();
CREATE TRIGGER audit_anchors_no_truncate BEFORE TRUNCATE ON audit_chain_anchors
  FOR EACH STATEMENT EXECUTE FUNCTION audit_forbid_change();

CREATE FUNCTION audit_head_forward() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'UPDATE' OR NEW.last_seq <= OLD.last_seq THEN
    RAISE EXCEPTION 'the audit chain head only moves forward' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER audit_head_forward BEFORE UPDATE OR DELETE ON audit_chain_head
  FOR EACH ROW EXECUTE FUNCTION audit_head_forward();
CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_chain_head
  FOR EACH STATEMENT EXECUTE FUNCTION audit_forbid_change();

-- Creates the partition holding `p_at` (one calendar month, UTC) when missing; returns its name.
CREATE FUNCTION audit_ensure_partition(p_at timestamptz) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  m_start timestamptz := date_trunc('month', p_at, 'UTC');
  m_end   timestamptz := (date_trunc('month', p_at, 'UTC') AT TIME ZONE 'UTC' + interval '1 month') AT TIME ZONE 'UTC';
  part    text := 'audit_events_y' || to_char(m_start AT TIME ZONE 'UTC', 'YYYY"m"MM');
BEGIN
  IF to_regclass('public.' || quote_ident(part)) IS NOT NULL THEN RETURN part; END IF;
  PERFORM pg_advisory_xact_lock(727002);
  IF to_regclass('public.' || quote_ident(part)) IS NOT NULL THEN RETURN part; END IF;
  EXECUTE format('CREATE TABLE public.%I PARTITION OF public.audit_events FOR VALUES FROM (%L) TO (%L)', part, m_start, m_end);
  EXECUTE format('CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON public.%I FOR EACH STATEMENT EXECUTE FUNCTION public.audit_forbid_change()', part);
  RETURN part;
END $$;

-- Drops the monthly partitions that ended before `p_keep_months` (never fewer than the DBA's floor) full months
-- ago, anchoring the chain first. Returns the names dropped.
CREATE FUNCTION audit_drop_expired(p_keep_months integer) RETURNS text[]
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  keep    integer := GREATEST(p_keep_months, (SELECT min_retention_months FROM public.audit_settings WHERE id = 1));
  cutoff  timestamptz := (date_trunc('month', now(), 'UTC') AT TIME ZONE 'UTC' - make_interval(months => keep)) AT TIME ZONE 'UTC';
  part    record;
  dropped text[] := '{}';
BEGIN
  PERFORM pg_advisory_xact_lock(727003);
  FOR part IN
    SELECT c.relname AS name,
           make_timestamptz(substring(c.relname FROM 'y(\d{4})m')::int, substring(c.relname FROM 'm(\d{2})$')::int, 1, 0, 0, 0, 'UTC') AS month
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'public.audit_events'::regclass AND c.relname ~ '^audit_events_y\d{4}m\d{2}$'
    ORDER BY 2
  LOOP
    CONTINUE WHEN (part.month AT TIME ZONE 'UTC' + interval '1 month') AT TIME ZONE 'UTC' > cutoff;
    EXECUTE format('INSERT INTO public.audit_chain_anchors (seq, hash, partition_name) SELECT p.seq, p.hash, %L FROM public.%I p '
      'WHERE NOT EXISTS (SELECT 1 FROM public.%I q WHERE q.seq = p.seq + 1) ON CONFLICT (seq) DO NOTHING', part.name, part.name, part.name);
    EXECUTE format('DROP TABLE public.%I', part.name);
    dropped := dropped || part.name::text;
  END LOOP;
  RETURN dropped;
END $$;

-- Appends a batch to the chain in one call, as its caller (the writer role): takes the head, numbers the events
-- in batch order, hashes each one and inserts it. The batch is one line per event: the event's canonical JSON text
-- from `id` on (docs/audit.md §3), i.e. the JSON array [id, at, kind, outcome, trace_id, span_id, request_id,
-- client_id, end_user, purpose, case_id, service, connector, http_status, upstream_status, duration_ms,
-- upstream_duration_ms, request_bytes, response_bytes, request_hash, response_hash, error_code, subjects, details]
-- without its opening bracket. hash = sha256(prev_hash || '\n' || '["lienthong-audit/1","<seq>",' || line): the
-- hash covers exactly the text the columns are read from, and verification recomputes it from the stored columns.
-- With `p_dedupe`, events already stored (same id and time: a retry after an unknown commit outcome) are skipped.
-- Returns how many events were appended.
CREATE FUNCTION audit_append(p_batch text, p_dedupe boolean) RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
DECLARE
  v_seq    bigint;
  v_start  bigint;
  v_prev   text;
  v_hash   text;
  v_at     timestamptz;
  v_month  text;
  v_months text[] := '{}';
  v_line   text;
  e        jsonb;
BEGIN
  SELECT last_seq, last_hash INTO v_seq, v_prev FROM audit_chain_head WHERE id = 1 FOR UPDATE;
  v_start := v_seq;
  FOR v_line IN SELECT string_to_table(p_batch, E'\n') LOOP
    e := ('[' || v_line)::jsonb;
    v_at := (e->>1)::timestamptz;
    v_month := to_char(v_at AT TIME ZONE 'UTC', 'YYYYMM');
    IF NOT v_month = ANY (v_months) THEN
      PERFORM audit_ensure_partition(v_at);
      v_months := v_months || v_month;
    END IF;
    CONTINUE WHEN p_dedupe AND EXISTS (SELECT 1 FROM audit_events WHERE id = (e->>0)::uuid AND at = v_at);
    v_seq := v_seq + 1;
    v_hash := encode(sha256(convert_to(v_prev || E'\n' || '["lienthong-audit/1","' || v_seq || '",' || v_line, 'UTF8')), 'hex');
    INSERT INTO audit_events (seq, id, at, kind, outcome, trace_id, span_id, request_id, client_id, end_user, purpose,
      case_id, service, connector, http_status, upstream_status, duration_ms, upstream_duration_ms, request_bytes,
      response_bytes, request_hash, response_hash, error_code, subjects, details, prev_hash, hash)
    VALUES (v_seq, (e->>0)::uuid, v_at, e->>2, e->>3, e->>4, e->>5, e->>6, e->>7, e->>8, e->>9, e->>10, e->>11, e->>12,
      (e->>13)::integer, (e->>14)::integer, (e->>15)::double precision, (e->>16)::double precision, (e->>17)::integer,
      (e->>18)::integer, e->>19, e->>20, e->>21, ARRAY(SELECT jsonb_array_elements_text(e->22)),
      NULLIF(e->23, 'null'::jsonb), v_prev, v_hash);
    v_prev := v_hash;
  END LOOP;
  IF v_seq > v_start THEN
    UPDATE audit_chain_head SET last_seq = v_seq, last_hash = v_prev WHERE id = 1;
  END IF;
  RETURN v_seq - v_start;
END $$;

ALTER TABLE audit_events OWNER TO lienthong_audit_owner;
ALTER TABLE audit_chain_head OWNER TO lienthong_audit_owner;
ALTER TABLE audit_chain_anchors OWNER TO lienthong_audit_owner;
ALTER TABLE audit_settings OWNER TO lienthong_audit_owner;
ALTER TABLE audit_local_key OWNER TO lienthong_audit_owner;
ALTER FUNCTION audit_forbid_change() OWNER TO lienthong_audit_owner;
ALTER FUNCTION audit_head_forward() OWNER TO lienthong_audit_owner;
ALTER FUNCTION audit_ensure_partition(timestamptz) OWNER TO lienthong_audit_owner;
ALTER FUNCTION audit_drop_expired(integer) OWNER TO lienthong_audit_owner;
ALTER FUNCTION audit_append(text, boolean) OWNER TO lienthong_audit_owner;

REVOKE ALL ON audit_events, audit_chain_head, audit_chain_anchors, audit_settings, audit_local_key FROM PUBLIC;
REVOKE ALL ON FUNCTION audit_ensure_partition(timestamptz), audit_drop_expired(integer), audit_append(text, boolean) FROM PUBLIC;
GRANT SELECT, INSERT ON audit_events TO lienthong_audit_writer;
GRANT SELECT, UPDATE ON audit_chain_head TO lienthong_audit_writer;
GRANT SELECT ON audit_chain_anchors, audit_settings TO lienthong_audit_writer;
GRANT SELECT, INSERT ON audit_local_key TO lienthong_audit_writer;
GRANT EXECUTE ON FUNCTION audit_ensure_partition(timestamptz), audit_drop_expired(integer), audit_append(text, boolean) TO lienthong_audit_writer;
GRANT SELECT ON audit_events, audit_chain_head, audit_chain_anchors TO lienthong_audit_reader;

-- This month and the next two exist from the start; the writer creates any other month it needs.
SELECT audit_ensure_partition(now());
SELECT audit_ensure_partition(now() + interval '1 month');
SELECT audit_ensure_partition(now() + interval '2 months');
