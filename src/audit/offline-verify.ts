import { sortKeys, type ChainedEvent } from './canonical.js'
import { anchorsOf, checkCheckpoints } from './checkpoint-check.js'
import type { Checkpoint } from './checkpoint.js'
import { ChainWalk } from './chain-walk.js'
import type { Trust } from './checkpoint-service.js'
import { checkpointsReport, type VerifyResult } from './verify.js'

/** One line of GET /v1/audit/export back to the event it was (the chain hash is recomputed from it). */
export function parseExportLine (line: string): ChainedEvent {
  const e = JSON.parse(line) as ChainedEvent & { at: string }
  if (typeof e.seq !== 'string' || typeof e.hash !== 'string' || typeof e.prevHash !== 'string' || typeof e.id !== 'string') {
    throw new Error('not an event of /v1/audit/export (seq, id, prevHash and hash are needed)')
  }
  return { ...e, at: new Date(e.at), details: e.details === null || e.details === undefined ? null : sortKeys(e.details) as Record<string, unknown> }
}

/**
 * Verifies an export offline, with public material only (`lienthong audit verify`): the checkpoints with the
 * public keys (and the TSA certificate, when given), then the events — hash, link and agreement with every valid
 * checkpoint. The export must be contiguous in chain order (unfiltered, or a range); it may start anywhere: its
 * first event's link is taken as given, and only checkpoints met again by the events anchor it.
 */
export async function verifyExport (lines: Iterable<string>, checkpoints: Checkpoint[], trust: Trust): Promise<VerifyResult> {
  const sorted = [...checkpoints].sort((a, b) => (BigInt(a.n) < BigInt(b.n) ? -1 : 1))
  const checked = await checkCheckpoints(sorted, trust, sorted[0]?.n === '1')
  let first: ChainedEvent | undefined
  let started = false
  // Only the export's first event may link to an event outside it; a gap later is a missing event.
  const walk = new ChainWalk(anchorsOf(checked.valid), async () => started ? undefined : first?.prevHash)
  let line = 0
  for (const text of lines) {
    line++
    if (text.trim() === '') continue
    let e: ChainedEvent
    try {
      e = parseExportLine(text)
    } catch (err) {
      throw new Error(`export line ${line}: ${(err as Error).message}`)
    }
    first ??= e
    await walk.add(e)
    started = true
    if (!walk.going) break
  }
  const r: VerifyResult = walk.finish()
  r.checkpoints = checkpointsReport(checked)
  if (checked.problems.length > 0) r.ok = false
  return r
}
