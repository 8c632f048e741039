import type { Command, Context } from '../types.js'
import { list, str } from '../args.js'
import { UsageError } from '../errors.js'
import { joined, pretty, table, yesNo } from '../output.js'

interface Client { id: string, name: string, roles: string[], grants: string[], enabled: boolean }
interface Created { client: Client, secret: string }

const ROLES = ['system', 'admin', 'auditor']
const path = (id: string): string => `/v1/admin/clients/${encodeURIComponent(id)}`

/** Prints a freshly issued secret, the one time the gateway shows it. */
function showSecret (io: Context['io'], id: string, secret: string): void {
  io.out(`client_id:     ${id}`)
  io.out(`client_secret: ${secret}`)
  io.err('warning: this secret is shown only once and cannot be retrieved later; store it now ' +
    `(if lost, issue a new one with: lienthong clients rotate-secret --id ${id})`)
}

const listClients: Command = {
  path: ['clients', 'list'],
  summary: 'list API clients',
  options: { json: { type: 'boolean', help: 'print the clients as JSON' } },
  async run ({ values, io, gateway }) {
    const clients = await gateway().list<Client>('/v1/admin/clients')
    if (values.json === true) io.out(pretty(clients))
    else if (clients.length === 0) io.out('No clients.')
    else {
      io.out(table(['ID', 'NAME', 'ROLES', 'GRANTS', 'ENABLED'],
        clients.map((c) => [c.id, c.name, joined(c.roles), joined(c.grants), yesNo(c.enabled)])))
    }
    return 0
  }
}

const createClient: Command = {
  path: ['clients', 'create'],
  summary: 'create an API client and print its secret (shown once)',
  options: {
    id: { type: 'string', arg: 'ID', required: true, help: 'client id: 3-64 of A-Z a-z 0-9 . _ - (e.g. an agency code)' },
    name: { type: 'string', arg: 'NAME', required: true, help: 'display name' },
    roles: { type: 'string', arg: 'ROLES', required: true, help: 'comma-separated: system, admin, auditor' },
    grants: { type: 'string', arg: 'SERVICES', help: 'comma-separated service ids a system client may call' },
    json: { type: 'boolean', help: 'print the response ({ client, secret }) as JSON' }
  },
  async run ({ values, io, gateway }) {
    const roles = list(values.roles)
    const unknown = roles.filter((r) => !ROLES.includes(r))
    if (roles.length === 0 || unknown.length > 0) {
      throw new UsageError(`--roles must list one or more of ${ROLES.join(', ')}${unknown.length > 0 ? `; unknown: ${unknown.join(', ')}` : ''}`)
    }
    const body = { id: str(values, 'id'), name: str(values, 'name'), roles, ...(values.grants !== undefined ? { grants: list(values.grants) } : {}) }
    const created = await gateway().call<Created>('POST', '/v1/admin/clients', body)
    if (values.json === true) {
      io.out(pretty(created))
      io.err('warning: the secret is shown only once and cannot be retrieved later; store it now')
      return 0
    }
    io.out(`Created client ${created.client.id} (${created.client.name}), roles ${joined(created.client.roles)}, grants ${joined(created.client.grants)}.`)
    showSecret(io, created.client.id, created.secret)
    return 0
  }
}

const rotateSecret: Command = {
  path: ['clients', 'rotate-secret'],
  summary: 'issue a new secret for a client (shown once; the old one stops working)',
  options: {
    id: { type: 'string', arg: 'ID', required: true, help: 'client id' },
    json: { type: 'boolean', help: 'print the response ({ id, secret }) as JSON' }
  },
  async run ({ values, io, gateway }) {
    const id = str(values, 'id')
    const rotated = await gateway().call<{ id: string, secret: string }>('POST', `${path(id)}/secret`)
    if (values.json === true) {
      io.out(pretty(rotated))
      io.err('warning: the secret is shown only once and cannot be retrieved later; store it now')
      return 0
    }
    io.out(`Rotated the secret of client ${rotated.id}; the previous secret no longer works.`)
    showSecret(io, rotated.id, rotated.secret)
    return 0
  }
}

export default [listClients, createClient, rotateSecret]
