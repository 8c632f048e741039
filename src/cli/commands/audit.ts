import { readFile, writeFile } from 'node:fs/promises'
import type { Command } from '../types.js'
import { str } from '../args.js'
import { CliError } from '../errors.js'
import { pretty } from '../output.js'
import { verifyExport } from '../../audit/offline-verify.js'
import { parseCheckpointLines } from '../../audit/witness.js'
import { parsePublicKeys, PublicKeySet } from '../../audit/signing-keys.js'
import { readCertificates } from '../../audit/checkpoint-service.js'
import type { Checkpoint } from '../../audit/checkpoint.js'
import type { VerifyResult } from '../../audit/verify.js'

async function read (file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8')
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as Error).message}`)
  }
}

/** Checkpoints of a file: NDJSON (witness files, `lienthong audit checkpoints`) or the JSON of one API page. */
function checkpointsOf (text: string, file: string): Checkpoint[] {
  const trimmed = text.trimStart()
  const body = trimmed.startsWith('{"items"') || trimmed.startsWith('{\n') ? (JSON.parse(text) as { items: unknown[] }).items.map((i) => JSON.stringify(i)).join('\n') : text
  const { checkpoints, unreadable } = parseCheckpointLines(body)
  if (unreadable > 0) throw new CliError(`${file}: ${unreadable} line(s) are not checkpoints`)
  return checkpoints
}

/** The result as lines for people. */
function describe (r: VerifyResult): string[] {
  const c = r.checkpoints
  const lines = [
    `${r.ok ? 'OK' : 'FAILED'}: ${r.checked} events checked`,
    `checkpoints: ${c?.checked ?? 0} read, ${c?.valid ?? 0} valid, ${c?.timestamped ?? 0} with a verified time-stamp` +
      ((c?.timestampsNotChecked ?? 0) > 0 ? `, ${c?.timestampsNotChecked ?? 0} time-stamps not checked (no --tsa-cert)` : '')
  ]
  if (r.coverage !== undefined) {
    lines.push(`covered by a checkpoint: ${r.coverage.coveredEvents} events up to position ${r.coverage.coveredThroughSeq ?? '-'}; newer than the last checkpoint: ${r.coverage.newerEvents}`)
  }
  for (const p of c?.problems ?? []) lines.push(`checkpoint ${p.n}: ${p.reason}${p.detail !== undefined ? ` (${p.detail})` : ''}`)
  if (r.reason !== undefined) lines.push(`events: ${r.reason}${r.firstBadEventId !== undefined ? `, first bad event ${r.firstBadEventId}` : ''}`)
  if (r.altered !== undefined) {
    lines.push(`checkpoint ${r.altered.checkpoint} does not match: events after position ${r.altered.afterSeq} through ${r.altered.throughSeq} were altered:`)
    for (const id of r.altered.eventIds) lines.push(`  ${id}`)
    if (r.altered.cut) lines.push('  (more not listed)')
  }
  return lines
}

const verify: Command = {
  path: ['audit', 'verify'],
  summary: 'verify an audit export offline against the signed checkpoints, with public material only',
  notes: [
    'Needs no gateway: the export (GET /v1/audit/export, unfiltered or a time range), the checkpoints (GET',
    '/v1/audit/checkpoints, e.g. saved by `lienthong audit checkpoints`, or a witness file) and the public keys',
    '(a PEM key, or the JSON of GET /v1/audit/keys). Exit code 0 when everything holds, 1 otherwise.'
  ],
  options: {
    export: { type: 'string', arg: 'FILE', help: 'NDJSON export of the events', required: true },
    checkpoints: { type: 'string', arg: 'FILE', help: 'NDJSON of the signed checkpoints', required: true },
    'public-key': { type: 'string', arg: 'FILE', help: 'PEM public key, or the JSON of GET /v1/audit/keys', required: true },
    'tsa-cert': { type: 'string', arg: 'FILE', help: 'PEM certificate of the trusted time-stamping authority (checks the tokens)' },
    json: { type: 'boolean', help: 'print the whole result as JSON' }
  },
  async run ({ values, io }) {
    let keys: PublicKeySet
    try {
      keys = new PublicKeySet(parsePublicKeys(await read(str(values, 'public-key'))))
    } catch (err) {
      if (err instanceof CliError) throw err
      throw new CliError(`${str(values, 'public-key')}: ${(err as Error).message}`)
    }
    const tsaFile = str(values, 'tsa-cert')
    const tsaCerts = tsaFile !== '' ? await readCertificates(tsaFile).catch((err: Error) => { throw new CliError(err.message) }) : []
    const checkpoints = checkpointsOf(await read(str(values, 'checkpoints')), str(values, 'checkpoints'))
    const lines = (await read(str(values, 'export'))).split('\n')
    const result = await verifyExport(lines, checkpoints, { keys, tsaCerts }).catch((err: Error) => { throw new CliError(err.message) })
    if (values.json === true) io.out(pretty(result))
    else for (const l of describe(result)) io.out(l)
    return result.ok ? 0 : 1
  }
}

const checkpoints: Command = {
  path: ['audit', 'checkpoints'],
  summary: 'fetch the signed checkpoints after a number, as NDJSON (an auditor\'s own copy)',
  options: {
    after: { type: 'string', arg: 'N', help: 'only checkpoints after number N (default 0: all)' },
    out: { type: 'string', arg: 'FILE', help: 'append to FILE instead of printing' }
  },
  async run ({ values, io, gateway }) {
    const after = str(values, 'after') === '' ? '0' : str(values, 'after')
    if (!/^\d{1,19}$/.test(after)) throw new CliError('--after must be a checkpoint number')
    const lines: string[] = []
    let path = `/v1/audit/checkpoints?after=${after}&limit=1000`
    for (;;) {
      const page = await gateway().call<{ items: unknown[], nextCursor: string | null }>('GET', path)
      lines.push(...page.items.map((i) => JSON.stringify(i)))
      if (page.nextCursor === null) break
      path = `/v1/audit/checkpoints?limit=1000&cursor=${page.nextCursor}`
    }
    const file = str(values, 'out')
    if (file === '') for (const l of lines) io.out(l)
    else {
      await writeFile(file, lines.map((l) => l + '\n').join(''), { flag: 'a' })
      io.out(`Appended ${lines.length} checkpoints to ${file}.`)
    }
    return 0
  }
}

export default [verify, checkpoints]
