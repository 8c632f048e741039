-- Audit trail: a cheaper audit_append() (docs/audit.md §3). Same signature, contract, chain and columns as in
-- 004_audit.sql: the batch is one line per event, the event's canonical JSON text from `id` on; each event's hash
-- is sha256(prev_hash || '\n' || '["lienthong-audit/1","<seq>",' || line) and its columns are read from that line.
-- What changes is how. 004 ran one INSERT per event (executor start-up, partition routing and the opening of the
-- partition and its indexes each time) and parsed each line before it knew whether to keep it. This version
-- numbers and hashes the lines in a loop that parses no JSON (the month and, for a dedupe, the id and time are at
-- fixed places of the canonical text: `"<36-character uuid>","<24-character ISO time>",…`), then inserts the
-- whole batch with one INSERT … SELECT that parses each line once. The id and time taken from those fixed places
-- are checked against the parsed JSON the columns are read from: a line not in the canonical layout is a data
-- exception (SQLSTATE class 22) and nothing of the batch is stored.
CREATE OR REPLACE FUNCTION audit_append(p_batch text, p_dedupe boolean) RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
DECLARE
  v_lines  text[] := string_to_array(p_batch, E'\n');
  v_keep   text[];
  v_prevs  text[] := '{}';
  v_hashes text[] := '{}';
  v_months text[] := '{}';
  v_seq    bigint;
  v_start  bigint;
  v_prev   text;
  v_line   text;
  v_month  text;
  n        integer := 0;
BEGIN
  SELECT last_seq, last_hash INTO v_seq, v_prev FROM audit_chain_head WHERE id = 1 FOR UPDATE;
  v_start := v_seq;
  IF p_dedupe THEN
    -- A retry after an unknown commit outcome: skip the events already stored (same id and time).
    v_keep := '{}';
    FOREACH v_line IN ARRAY v_lines LOOP
      CONTINUE WHEN EXISTS (SELECT 1 FROM audit_events WHERE id = substr(v_line, 2, 36)::uuid AND at = substr(v_line, 41, 24)::timestamptz);
      v_keep := v_keep || v_line;
    END LOOP;
  ELSE
    v_keep := v_lines;
  END IF;
  FOREACH v_line IN ARRAY v_keep LOOP
    v_month := substr(v_line, 41, 7); -- YYYY-MM of the event time (UTC)
    IF NOT v_month = ANY (v_months) THEN
      IF to_regclass('public.audit_events_y' || substr(v_month, 1, 4) || 'm' || substr(v_month, 6, 2)) IS NULL THEN
        PERFORM audit_ensure_partition(substr(v_line, 41, 24)::timestamptz);
      END IF;
      v_months := v_months || v_month;
    END IF;
    n := n + 1;
    v_seq := v_seq + 1;
    v_prevs[n] := v_prev;
    v_prev := encode(sha256(convert_to(v_prev || E'\n' || '["lienthong-audit/1","' || v_seq || '",' || v_line, 'UTF8')), 'hex');
    v_hashes[n] := v_prev;
  END LOOP;
  IF n = 0 THEN RETURN 0; END IF;
  INSERT INTO audit_events (seq, id, at, kind, outcome, trace_id, span_id, request_id, client_id, end_user, purpose,
    case_id, service, connector, http_status, upstream_status, duration_ms, upstream_duration_ms, request_bytes,
    response_bytes, request_hash, response_hash, error_code, subjects, details, prev_hash, hash)
  SELECT v_start + l.o,
    (CASE WHEN j.e->>0 = substr(l.line, 2, 36) THEN j.e->>0 ELSE 'not in the canonical layout' END)::uuid,
    (CASE WHEN j.e->>1 = substr(l.line, 41, 24) THEN j.e->>1 ELSE 'not in the canonical layout' END)::timestamptz,
    j.e->>2, j.e->>3, j.e->>4, j.e->>5, j.e->>6, j.e->>7, j.e->>8, j.e->>9, j.e->>10, j.e->>11, j.e->>12,
    (j.e->>13)::integer, (j.e->>14)::integer, (j.e->>15)::double precision, (j.e->>16)::double precision,
    (j.e->>17)::integer, (j.e->>18)::integer, j.e->>19, j.e->>20, j.e->>21,
    ARRAY(SELECT jsonb_array_elements_text(j.e->22)), NULLIF(j.e->23, 'null'::jsonb), l.prev, l.hash
  FROM unnest(v_keep, v_prevs, v_hashes) WITH ORDINALITY AS l(line, prev, hash, o)
  -- OFFSET 0 keeps the parse in the subquery: once per line, not once per column.
  CROSS JOIN LATERAL (SELECT ('[' || l.line)::jsonb AS e OFFSET 0) j;
  UPDATE audit_chain_head SET last_seq = v_seq, last_hash = v_prev WHERE id = 1;
  RETURN n;
END $$;
