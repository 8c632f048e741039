import { readFile, writeFile } from 'node:fs/promises'
import type { Command, Io } from '../types.js'
import { str } from '../args.js'
import { CliError } from '../errors.js'
import { joined, pretty, table, yesNo } from '../output.js'

interface Connector { id: string, type: string, services: string[], provinces?: string[], enabled: boolean, version?: string | number }
interface Change { kind: 'client' | 'connector', id: string, action: 'create' | 'update' | 'delete' | 'unchanged' }
interface ImportResult { applied: boolean, changes: Change[], newClientSecrets?: Array<{ id: string, secret: string }> }

const listConnectors: Command = {
  path: ['connectors', 'list'],
  summary: 'list connector instances',
  options: { json: { type: 'boolean', help: 'print the connectors (config included, secrets masked) as JSON' } },
  async run ({ values, io, gateway }) {
    const connectors = await gateway().list<Connector>('/v1/admin/connectors')
    if (values.json === true) io.out(pretty(connectors))
    else if (connectors.length === 0) io.out('No connectors.')
    else {
      io.out(table(['ID', 'TYPE', 'VERSION', 'SERVICES', 'PROVINCES', 'ENABLED'],
        connectors.map((c) => [c.id, c.type, String(c.version ?? '-'), joined(c.services), joined(c.provinces), yesNo(c.enabled)])))
    }
    return 0
  }
}

const exportConfig: Command = {
  path: ['connectors', 'export'],
  summary: 'export clients and connectors as a declarative config document (JSON)',
  notes: ['Secrets in connector configs are exported masked ("********"); importing the mask back keeps the stored secret.'],
  options: { out: { type: 'string', arg: 'FILE', help: 'write to FILE instead of stdout' } },
  async run ({ values, io, gateway }) {
    const doc = await gateway().call<{ clients?: unknown[], connectors?: unknown[] }>('GET', '/v1/admin/config')
    const text = pretty(doc)
    const file = str(values, 'out')
    if (file === '') {
      io.out(text)
      return 0
    }
    try {
      await writeFile(file, `${text}\n`)
    } catch (err) {
      throw new CliError(`cannot write ${file}: ${(err as Error).message}`)
    }
    io.out(`Wrote ${doc.clients?.length ?? 0} clients and ${doc.connectors?.length ?? 0} connectors to ${file}.`)
    return 0
  }
}

/** The whole of standard input as text. */
async function readStdin (stdin: AsyncIterable<string | Buffer>): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)
  return Buffer.concat(chunks).toString('utf8')
}

/** The document of `--file`: a file, or standard input when the file is `-`. */
async function readDocument (arg: string, io: Io): Promise<unknown> {
  const file = arg === '-' ? 'standard input' : arg
  let text: string
  try {
    if (arg !== '-') text = await readFile(arg, 'utf8')
    else if (io.stdin !== undefined) text = await readStdin(io.stdin)
    else throw new Error('not available')
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as Error).message}`)
  }
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (err) {
    throw new CliError(`${file} is not valid JSON: ${(err as Error).message}`)
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new CliError(`${file} must hold a JSON object { "clients": [...], "connectors": [...] } (as written by connectors export)`)
  }
  return doc
}

function summary (changes: Change[]): string {
  const counts = new Map<string, number>()
  for (const c of changes) counts.set(c.action, (counts.get(c.action) ?? 0) + 1)
  const parts = ['create', 'update', 'delete', 'unchanged'].flatMap((a) => counts.has(a) ? [`${counts.get(a) ?? 0} ${a}`] : [])
  return parts.length > 0 ? parts.join(', ') : 'nothing to change'
}

const importConfig: Command = {
  path: ['connectors', 'import'],
  summary: 'import a declarative config document (validated, all or nothing)',
  notes: [
    'Connectors missing from the document are deleted; clients are created or updated, never deleted.',
    'Run with --dry-run first to see the changes. Clients created by an import get a secret, printed once.'
  ],
  options: {
    file: { type: 'string', arg: 'FILE', required: true, help: 'the document, as written by connectors export; - reads it from standard input' },
    'dry-run': { type: 'boolean', help: 'validate and show the changes without applying them' },
    force: { type: 'boolean', help: 'apply even if granted services are left without a route' },
    json: { type: 'boolean', help: 'print the gateway response as JSON' }
  },
  async run ({ values, io, gateway }) {
    const dryRun = values['dry-run'] === true
    const doc = await readDocument(str(values, 'file'), io)
    const query = `dryRun=${String(dryRun)}${values.force === true ? '&force=true' : ''}`
    const res = await gateway().call<ImportResult>('PUT', `/v1/admin/config?${query}`, doc).catch((err: unknown) => {
      if (err instanceof CliError && err.message.includes('force=true')) err.details.push('  run again with --force to apply anyway')
      throw err
    })
    const secrets = res.newClientSecrets ?? []
    if (secrets.length > 0) io.err('warning: the secrets of the new clients are shown only once and cannot be retrieved later; store them now')
    if (values.json === true) {
      io.out(pretty(res))
      return 0
    }
    const changes = res.changes ?? []
    const visible = changes.filter((c) => c.action !== 'unchanged')
    if (visible.length > 0) {
      io.out(table(['ACTION', 'KIND', 'ID'], visible.map((c) => [c.action, c.kind, c.id])))
    }
    const head = dryRun ? 'Dry run, nothing applied' : res.applied ? 'Applied' : 'Not applied'
    io.out(`${head}: ${summary(changes)}.`)
    for (const s of secrets) io.out(`client_secret of ${s.id}: ${s.secret}`)
    return 0
  }
}

export default [listConnectors, exportConfig, importConfig]
