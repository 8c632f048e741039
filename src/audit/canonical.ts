import { createHash } from 'node:crypto'
import type { AuditKind, AuditOutcome } from './types.js'

/** An event as stored, before the chain fields are assigned. Subjects and body hashes are already keyed. */
export interface PreparedEvent {
  id: string
  at: Date
  kind: AuditKind
  outcome: AuditOutcome
  traceId: string | null
  spanId: string | null
  requestId: string | null
  clientId: string | null
  endUser: string | null
  purpose: string | null
  caseId: string | null
  service: string | null
  connector: string | null
  httpStatus: number | null
  upstreamStatus: number | null
  durationMs: number | null
  upstreamDurationMs: number | null
  requestBytes: number | null
  responseBytes: number | null
  requestHash: string | null
  responseHash: string | null
  errorCode: string | null
  subjects: string[]
  details: Record<string, unknown> | null
  /** `details` as canonical JSON, computed once (hash and insert both need it). */
  detailsJson?: string
}

/** An event of the chain: its position (`seq`, a decimal string), the previous event's hash and its own. */
export interface ChainedEvent extends PreparedEvent {
  seq: string
  prevHash: string
  hash: string
}

export const GENESIS_HASH = '0'.repeat(64)
const VERSION = 'lienthong-audit/1'

export { sortKeys, canonicalJson } from '../lib/canonical-json.js'

/**
 * The chain hash of one event: sha256 (hex) of the previous event's hash, a newline and the canonical JSON array
 * of every stored field in this fixed order. docs/audit.md gives the same definition for independent checkers.
 * `details` must already have sorted keys (prepare() and fromRow() see to it), so plain JSON.stringify is canonical.
 */
export function eventHash (e: Omit<ChainedEvent, 'hash'>): string {
  return linkHash(e.prevHash, e.seq, canonicalTail(e))
}

/** `eventHash` from its three parts: the previous hash, the position and the event's canonical tail. */
const linkHash = (prevHash: string, seq: string, tail: string): string =>
  createHash('sha256').update(`${prevHash}\n["${VERSION}",${JSON.stringify(seq)},${tail}`).digest('hex')

/**
 * The canonical JSON of an event from `id` on, closing bracket included: what follows the version tag and the
 * position. The database's audit_append() hashes exactly this text (sent along with the fields).
 */
export function canonicalTail (e: PreparedEvent): string {
  const head = JSON.stringify([
    e.id, e.at.toISOString(), e.kind, e.outcome, e.traceId, e.spanId, e.requestId, e.clientId, e.endUser, e.purpose,
    e.caseId, e.service, e.connector, e.httpStatus, e.upstreamStatus, e.durationMs, e.upstreamDurationMs,
    e.requestBytes, e.responseBytes, e.requestHash, e.responseHash, e.errorCode, e.subjects
  ])
  return `${head.slice(1, -1)},${detailsJson(e)}]`
}

/** The canonical JSON of an event's details (`null` when it has none). */
export const detailsJson = (e: PreparedEvent): string => e.detailsJson ?? JSON.stringify(e.details)

/** An event's place in the chain, beside the event (`links()`): what `chain()` adds to it. */
export interface ChainLink {
  seq: string
  prevHash: string
  hash: string
}

/**
 * The positions and hashes of a batch appended after (`lastSeq`, `lastHash`), one link per event in order. The
 * writer's path: the events are not copied (a copy of an event's 25 fields cost more than its hash).
 */
export function links (events: readonly PreparedEvent[], lastSeq: bigint, lastHash: string): ChainLink[] {
  let seq = lastSeq
  let prevHash = lastHash
  const out = new Array<ChainLink>(events.length)
  for (let i = 0; i < events.length; i++) {
    seq += 1n
    const s = seq.toString()
    const hash = linkHash(prevHash, s, canonicalTail(events[i]))
    out[i] = { seq: s, prevHash, hash }
    prevHash = hash
  }
  return out
}

/** Assigns positions and hashes to a batch appended after (`lastSeq`, `lastHash`): each event with its link. */
export function chain (events: PreparedEvent[], lastSeq: bigint, lastHash: string): ChainedEvent[] {
  const l = links(events, lastSeq, lastHash)
  return events.map((e, i) => ({ ...e, ...l[i] }))
}
