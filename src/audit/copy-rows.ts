import { detailsJson, type ChainLink, type PreparedEvent } from './canonical.js'

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
 * The rows of a chained batch in COPY's text format, one line per event (`links`: `links()` of the same events).
 * Every column holds exactly what the event's canonical text (`canonicalTail`, which its hash covers) says:
 * verification recomputes that text from the stored columns. `details` goes in as its canonical JSON (jsonb keeps
 * what sorted keys and JSON numbers say); no details is NULL, as before. The line is built by concatenation (an
 * array and a join per row cost more than the rest of it).
 */
export function copyText (events: readonly PreparedEvent[], links: readonly ChainLink[]): string {
  let out = ''
  for (let i = 0; i < events.length; i++) {
    const e = events[i]
    const l = links[i]
    const details = e.details === null ? null : detailsJson(e)
    out += l.seq + '\t' + e.id + '\t' + e.at.toISOString() + '\t' + text(e.kind) + '\t' + text(e.outcome) + '\t' +
      text(e.traceId) + '\t' + text(e.spanId) + '\t' + text(e.requestId) + '\t' + text(e.clientId) + '\t' +
      text(e.endUser) + '\t' + text(e.purpose) + '\t' + text(e.caseId) + '\t' + text(e.service) + '\t' +
      text(e.connector) + '\t' + num(e.httpStatus) + '\t' + num(e.upstreamStatus) + '\t' + num(e.durationMs) + '\t' +
      num(e.upstreamDurationMs) + '\t' + num(e.requestBytes) + '\t' + num(e.responseBytes) + '\t' +
      text(e.requestHash) + '\t' + text(e.responseHash) + '\t' + text(e.errorCode) + '\t' + text(textArray(e.subjects)) +
      '\t' + text(details) + '\t' + l.prevHash + '\t' + l.hash + '\n'
  }
  return out
}
