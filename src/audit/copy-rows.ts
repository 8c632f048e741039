import { detailsJson, type ChainedEvent } from './canonical.js'

/** The columns of `audit_events` in the order of a row of `copyText`. */
export const COPY_COLUMNS = 'seq, id, at, kind, outcome, trace_id, span_id, request_id, client_id, end_user, purpose, case_id, ' +
  'service, connector, http_status, upstream_status, duration_ms, upstream_duration_ms, request_bytes, response_bytes, ' +
  'request_hash, response_hash, error_code, subjects, details, prev_hash, hash'

const NULL = '\\N'
const SPECIAL = /[\\\n\r\t]/

/** A value in COPY's text format: backslash, newline, carriage return and tab escaped (prepare() removed NULs). */
function text (v: string | null): string {
  if (v === null) return NULL
  if (!SPECIAL.test(v)) return v
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')
}

/**
 * A number as the canonical text has it: JSON writes a non-finite number as `null`, so it is stored as NULL and
 * verification reads back what was hashed.
 */
const num = (v: number | null): string => v === null || !Number.isFinite(v) ? NULL : String(v)

/** A PostgreSQL array literal of texts, every element quoted (`{"a","b"}`). */
const textArray = (values: string[]): string =>
  `{${values.map((v) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`

/**
 * The rows of a chained batch in COPY's text format, one line per event. Every column holds exactly what the
 * event's canonical text (`canonicalTail`, which its hash covers) says: verification recomputes that text from the
 * stored columns. `details` goes in as its canonical JSON (jsonb keeps what sorted keys and JSON numbers say);
 * no details is NULL, as before.
 */
export function copyText (events: ChainedEvent[]): string {
  let out = ''
  for (const e of events) {
    const details = e.details === null ? null : detailsJson(e)
    out += [
      e.seq, e.id, e.at.toISOString(), text(e.kind), text(e.outcome), text(e.traceId), text(e.spanId), text(e.requestId),
      text(e.clientId), text(e.endUser), text(e.purpose), text(e.caseId), text(e.service), text(e.connector),
      num(e.httpStatus), num(e.upstreamStatus), num(e.durationMs), num(e.upstreamDurationMs), num(e.requestBytes),
      num(e.responseBytes), text(e.requestHash), text(e.responseHash), text(e.errorCode), text(textArray(e.subjects)),
      text(details), e.prevHash, e.hash
    ].join('\t') + '\n'
  }
  return out
}
