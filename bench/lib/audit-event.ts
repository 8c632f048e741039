import type { AuditEventInput } from '../../src/audit/types.js'

/**
 * The audit event of one successful citizen lookup, as the lookup hook hands it to the trail (ids, timings, both
 * bodies, the subject, the hops): the input of the audit benchmarks, numbered `i`.
 */
export function lookupAuditInput (i: number, requestBody: string, responseBody: string, subjects: string[]): AuditEventInput {
  return {
    kind: 'lookup',
    outcome: 'ok',
    at: new Date(),
    traceId: i.toString(16).padStart(8, '0').repeat(4),
    spanId: i.toString(16).padStart(8, '0').repeat(2),
    requestId: `req-${i}`,
    clientId: 'bench-system',
    purpose: '1.000894',
    service: 'citizen.lookup',
    connector: 'citizen',
    httpStatus: 200,
    upstreamStatus: 200,
    durationMs: 3.2,
    upstreamDurationMs: 1.9,
    requestBytes: requestBody.length,
    responseBytes: responseBody.length + 120,
    requestBody,
    responseBody,
    subjects,
    details: { hops: [{ hop: 'received', offsetMs: 0 }, { hop: 'validated', offsetMs: 0.3 }, { connector: 'citizen', durationMs: 1.9, hop: 'connector.attempt', n: 1, offsetMs: 0.5, outcome: 'ok' }, { hop: 'responded', offsetMs: 3.2, status: 200 }] }
  }
}
