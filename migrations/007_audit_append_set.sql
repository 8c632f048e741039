-- audit_append() of 004, same contract and same hashes, with one set-based INSERT per batch instead of one INSERT
-- per event: the loop only numbers and hashes the lines (reading each event's id and time from the start of its
-- line: the canonical JSON of an event begins with "<uuid>","<ISO time>", and neither contains a comma), then all
-- rows go in with a single statement. Measured with batches of 40 lookup events: about 20 % less database CPU
-- per event (docs/audit.md, Cost).
CREATE OR REPLACE FUNCTION audit_append(p_batch text, p_dedupe boolean) RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
DECLARE
  v_seq    bigint;
  v_start  bigint;
  v_prev   text;
  v_at     timestamptz;
  v_month  text;
  v_months text[] := '{}';
  v_line   text;
  v_lines  text[] := '{}';
  v_prevs  text[] := '{}';
  v_hashes text[] := '{}';
BEGIN
  SELECT last_seq, last_hash INTO v_seq, v_prev FROM audit_chain_head WHERE id = 1 FOR UPDATE;
  v_start := v_seq;
  FOR v_line IN SELECT string_to_table(p_batch, E'\n') LOOP
    -- a line is the canonical JSON of an event from its id on: "<uuid>","<ISO time>",...
    v_at := btrim(split_part(v_line, ',', 2), '"')::timestamptz;
    v_month := to_char(v_at AT TIME ZONE 'UTC', 'YYYYMM');
    IF NOT v_month = ANY (v_months) THEN
      PERFORM audit_ensure_partition(v_at);
      v_months := v_months || v_month;
    END IF;
    CONTINUE WHEN p_dedupe AND EXISTS (SELECT 1 FROM audit_events WHERE id = btrim(split_part(v_line, ',', 1), '"')::uuid AND at = v_at);
    v_seq := v_seq + 1;
    v_lines := v_lines || v_line;
    v_prevs := v_prevs || v_prev;
    v_prev := encode(sha256(convert_to(v_prev || E'\n' || '["lienthong-audit/1","' || v_seq || '",' || v_line, 'UTF8')), 'hex');
    v_hashes := v_hashes || v_prev;
  END LOOP;
  IF v_seq = v_start THEN RETURN 0; END IF;
  INSERT INTO audit_events (seq, id, at, kind, outcome, trace_id, span_id, request_id, client_id, end_user, purpose,
    case_id, service, connector, http_status, upstream_status, duration_ms, upstream_duration_ms, request_bytes,
    response_bytes, request_hash, response_hash, error_code, subjects, details, prev_hash, hash)
  SELECT v_start + u.n, (e->>0)::uuid, (e->>1)::timestamptz, e->>2, e->>3, e->>4, e->>5, e->>6, e->>7, e->>8, e->>9, e->>10,
    e->>11, e->>12, (e->>13)::integer, (e->>14)::integer, (e->>15)::double precision, (e->>16)::double precision,
    (e->>17)::integer, (e->>18)::integer, e->>19, e->>20, e->>21, ARRAY(SELECT jsonb_array_elements_text(e->22)),
    NULLIF(e->23, 'null'::jsonb), u.prev, u.hash
  FROM unnest(v_lines, v_prevs, v_hashes) WITH ORDINALITY AS u(line, prev, hash, n),
    -- OFFSET 0 keeps the planner from inlining the parse into each of the 24 uses of e: one parse per line
    LATERAL (SELECT ('[' || u.line)::jsonb AS e OFFSET 0) j;
  UPDATE audit_chain_head SET last_seq = v_seq, last_hash = v_prev WHERE id = 1;
  RETURN v_seq - v_start;
END $$;
