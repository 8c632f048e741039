import type { Command, Context } from '../types.js'
import { list, str } from '../args.js'
import { UsageError } from '../errors.js'
import { joined, pretty, table, yesNo } from '../output.js'

type Grant = string | { service: string, purposes: string[] }
interface Client { id: string, name: string, roles: string[], grants: Grant[], agencies?: string[], enabled: boolean }
interface Created { client: Client, secret: string }

const ROLES = ['system', 'admin', 'auditor']
const path = (id: string): string => `/v1/admin/clients/${encodeURIComponent(id)}`

const GRANTS_HELP = 'comma-separated service ids; a service may name its allowed purposes: citizen.lookup=1.000894+1.003003'
const AGENCIES_HELP = 'comma-separated agency ids this system acts for in dossier calls; a segment may be *: 000.00.*.H29'

/** `--grants a, b=p1+p2` → ['a', { service: 'b', purposes: ['p1', 'p2'] }] (the gateway checks the names). */
export function parseGrants (value: string | boolean | undefined): Grant[] {
  return list(value).map((g) => {
    const eq = g.indexOf('=')
    if (eq < 0) return g
    const purposes = g.slice(eq + 1).split('+').map((p) => p.trim()).filter((p) => p !== '')
    if (purposes.length === 0) throw new UsageError(`--grants: ${g.slice(0, eq)}= needs purposes, e.g. ${g.slice(0, eq)}=1.000894`)
    return { service: g.slice(0, eq).trim(), purposes }
  })
}

/** A grant as the table shows it: `service` or `service=p1+p2`. */
const grantText = (g: Grant): string => typeof g === 'string' ? g : `${g.service}=${g.purposes.join('+')}`

function rolesOf (value: string | boolean | undefined): string[] {
  const roles = list(value)
  const unknown = roles.filter((r) => !ROLES.includes(r))
  if (roles.length === 0 || unknown.length > 0) {
    throw new UsageError(`--roles must list one or more of ${ROLES.join(', ')}${unknown.length > 0 ? `; unknown: ${unknown.join(', ')}` : ''}`)
  }
  return roles
}

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
      io.out(table(['ID', 'NAME', 'ROLES', 'GRANTS', 'AGENCIES', 'ENABLED'],
        clients.map((c) => [c.id, c.name, joined(c.roles), joined(c.grants.map(grantText)), joined(c.agencies), yesNo(c.enabled)])))
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
    grants: { type: 'string', arg: 'SERVICES', help: GRANTS_HELP },
    agencies: { type: 'string', arg: 'AGENCIES', help: `${AGENCIES_HELP} (default: the client id when it is an agency id)` },
    json: { type: 'boolean', help: 'print the response ({ client, secret }) as JSON' }
  },
  async run ({ values, io, gateway }) {
    const roles = rolesOf(values.roles)
    const body = {
      id: str(values, 'id'),
      name: str(values, 'name'),
      roles,
      ...(values.grants !== undefined ? { grants: parseGrants(values.grants) } : {}),
      ...(values.agencies !== undefined ? { agencies: list(values.agencies) } : {})
    }
    const created = await gateway().call<Created>('POST', '/v1/admin/clients', body)
    if (values.json === true) {
      io.out(pretty(created))
      io.err('warning: the secret is shown only once and cannot be retrieved later; store it now')
      return 0
    }
    io.out(`Created client ${created.client.id} (${created.client.name}), roles ${joined(created.client.roles)}, grants ${joined(created.client.grants.map(grantText))}` +
      `${created.client.agencies !== undefined ? `, agencies ${joined(created.client.agencies)}` : ''}.`)
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

const updateClient: Command = {
  path: ['clients', 'update'],
  summary: 'change a client\'s name, roles, grants, agencies or state (what is not given stays)',
  notes: ['--grants and --agencies replace the whole list; --agencies "" leaves the client acting for no agency.'],
  options: {
    id: { type: 'string', arg: 'ID', required: true, help: 'client id' },
    name: { type: 'string', arg: 'NAME', help: 'display name' },
    roles: { type: 'string', arg: 'ROLES', help: 'comma-separated: system, admin, auditor' },
    grants: { type: 'string', arg: 'SERVICES', help: GRANTS_HELP },
    agencies: { type: 'string', arg: 'AGENCIES', help: AGENCIES_HELP },
    enabled: { type: 'string', arg: 'yes|no', help: 'enable or disable the client' },
    json: { type: 'boolean', help: 'print the updated client as JSON' }
  },
  async run ({ values, io, gateway }) {
    if (values.enabled !== undefined && values.enabled !== 'yes' && values.enabled !== 'no') throw new UsageError('--enabled must be yes or no')
    const patch = {
      ...(values.name !== undefined ? { name: str(values, 'name') } : {}),
      ...(values.roles !== undefined ? { roles: rolesOf(values.roles) } : {}),
      ...(values.grants !== undefined ? { grants: parseGrants(values.grants) } : {}),
      ...(values.agencies !== undefined ? { agencies: list(values.agencies) } : {}),
      ...(values.enabled !== undefined ? { enabled: values.enabled === 'yes' } : {})
    }
    if (Object.keys(patch).length === 0) throw new UsageError('give at least one of --name, --roles, --grants, --agencies, --enabled')
    const id = str(values, 'id')
    const client = await gateway().call<Client>('PATCH', path(id), patch)
    if (values.json === true) io.out(pretty(client))
    else {
      io.out(`Updated client ${client.id} (${client.name}): roles ${joined(client.roles)}, grants ${joined(client.grants.map(grantText))}, ` +
        `agencies ${joined(client.agencies)}, ${client.enabled ? 'enabled' : 'disabled'}.`)
    }
    return 0
  }
}

export default [listClients, createClient, updateClient, rotateSecret]
