import type { Command, Context } from '../types.js'
import { list, str } from '../args.js'
import { UsageError } from '../errors.js'
import { joined, pretty, table, yesNo } from '../output.js'

interface Subscription {
  id: string
  clientId: string
  eventTypes: string[]
  filter: { provinces?: string[], communes?: string[], agencies?: string[], procedures?: string[] }
  callbackUrl: string | null
  delivery: string
  purpose: string
  enabled: boolean
}
interface Delivery { eventId: string, eventType: string, status: string, attempts: number, caseId?: string, lastStatus?: number, lastError?: string, occurredAt: string }

const path = (id: string): string => `/v1/admin/subscriptions/${encodeURIComponent(id)}`
const ID = { id: { type: 'string', arg: 'ID', required: true, help: 'subscription id (sub_…)' } } as const
const JSON_OPTION = { json: { type: 'boolean', help: 'print the response as JSON' } } as const

/** A non-negative integer option, or undefined when absent. */
function int (values: Context['values'], name: string): number | undefined {
  const v = values[name]
  if (v === undefined) return undefined
  if (typeof v !== 'string' || !/^\d{1,10}$/.test(v)) throw new UsageError(`--${name} must be a whole number`)
  return Number(v)
}

function showSecret (io: Context['io'], id: string, secret: string): void {
  io.out(`signing secret: ${secret}`)
  io.err('warning: the signing secret is shown only once; give it to the subscriber now ' +
    `(if lost, issue a new one with: lienthong subscriptions rotate-secret --id ${id})`)
}

const filterCell = (s: Subscription): string =>
  Object.entries(s.filter).map(([k, v]) => `${k}=${joined(v)}`).join(' ') || 'any'

const listSubscriptions: Command = {
  path: ['subscriptions', 'list'],
  summary: 'list subscriptions of provincial systems to events',
  options: JSON_OPTION,
  async run ({ values, io, gateway }) {
    const subs = await gateway().list<Subscription>('/v1/admin/subscriptions')
    if (values.json === true) io.out(pretty(subs))
    else if (subs.length === 0) io.out('No subscriptions.')
    else {
      io.out(table(['ID', 'CLIENT', 'EVENT TYPES', 'FILTER', 'DELIVERY', 'ENABLED'],
        subs.map((s) => [s.id, s.clientId, joined(s.eventTypes), filterCell(s), s.callbackUrl ?? 'pull', yesNo(s.enabled)])))
    }
    return 0
  }
}

const createSubscription: Command = {
  path: ['subscriptions', 'create'],
  summary: 'subscribe a provincial system to events (a webhook secret is printed once)',
  notes: ['Without --callback-url the subscriber pulls: GET /v1/events with its own token.'],
  options: {
    client: { type: 'string', arg: 'ID', required: true, help: 'the subscriber: a client with the role system' },
    types: { type: 'string', arg: 'TYPES', required: true, help: 'comma-separated event types (lienthong event-types list)' },
    purpose: { type: 'string', arg: 'TEXT', required: true, help: 'declared purpose (legal basis) of receiving them' },
    'callback-url': { type: 'string', arg: 'URL', help: 'webhook URL (inside the outbound allowlist)' },
    provinces: { type: 'string', arg: 'CODES', help: 'comma-separated province codes of today' },
    communes: { type: 'string', arg: 'CODES', help: 'comma-separated commune codes of today' },
    agencies: { type: 'string', arg: 'IDS', help: 'comma-separated agency ids' },
    procedures: { type: 'string', arg: 'CODES', help: 'comma-separated procedure codes' },
    attempts: { type: 'string', arg: 'N', help: 'attempts before a dead letter (within the admin bounds)' },
    'base-delay-ms': { type: 'string', arg: 'MS', help: 'first retry delay' },
    'max-delay-ms': { type: 'string', arg: 'MS', help: 'longest retry delay' },
    ...JSON_OPTION
  },
  async run ({ values, io, gateway }) {
    const filter = Object.fromEntries(['provinces', 'communes', 'agencies', 'procedures']
      .filter((k) => values[k] !== undefined).map((k) => [k, list(values[k])]))
    const retry = { attempts: int(values, 'attempts'), baseDelayMs: int(values, 'base-delay-ms'), maxDelayMs: int(values, 'max-delay-ms') }
    const body = {
      clientId: str(values, 'client'),
      eventTypes: list(values.types),
      purpose: str(values, 'purpose'),
      ...(values['callback-url'] !== undefined ? { callbackUrl: str(values, 'callback-url') } : {}),
      ...(Object.keys(filter).length > 0 ? { filter } : {}),
      ...(Object.values(retry).some((v) => v !== undefined) ? { retryPolicy: JSON.parse(JSON.stringify(retry)) } : {})
    }
    const created = await gateway().call<{ subscription: Subscription, secret?: string }>('POST', '/v1/admin/subscriptions', body)
    if (values.json === true) {
      io.out(pretty(created))
      return 0
    }
    const s = created.subscription
    io.out(`Created subscription ${s.id} for ${s.clientId}: ${joined(s.eventTypes)}, filter ${filterCell(s)}, delivery ${s.callbackUrl ?? 'pull (GET /v1/events)'}.`)
    if (created.secret !== undefined) showSecret(io, s.id, created.secret)
    return 0
  }
}

const showSubscription: Command = {
  path: ['subscriptions', 'show'],
  summary: 'show one subscription (JSON; what can be PUT back)',
  options: ID,
  async run ({ values, io, gateway }) {
    io.out(pretty(await gateway().call('GET', path(str(values, 'id')))))
    return 0
  }
}

const deleteSubscription: Command = {
  path: ['subscriptions', 'delete'],
  summary: 'delete a subscription and its delivery records',
  options: ID,
  async run ({ values, io, gateway }) {
    await gateway().call('DELETE', path(str(values, 'id')))
    io.out(`Deleted subscription ${str(values, 'id')}.`)
    return 0
  }
}

const rotateSecret: Command = {
  path: ['subscriptions', 'rotate-secret'],
  summary: 'issue a new webhook signing secret; the old one keeps signing during the overlap',
  options: { ...ID, 'overlap-seconds': { type: 'string', arg: 'S', help: 'how long the old secrets keep signing (default EVENTS_SECRET_OVERLAP_S)' }, ...JSON_OPTION },
  async run ({ values, io, gateway }) {
    const overlap = int(values, 'overlap-seconds')
    const rotated = await gateway().call<{ id: string, secret: string, secrets: Array<{ id: string, expiresAt: string | null }> }>(
      'POST', `${path(str(values, 'id'))}/secret`, overlap !== undefined ? { overlapSeconds: overlap } : {})
    if (values.json === true) {
      io.out(pretty(rotated))
      return 0
    }
    io.out(`Rotated the signing secret of ${rotated.id}; ${rotated.secrets.length - 1} older secret(s) sign until they expire.`)
    showSecret(io, rotated.id, rotated.secret)
    return 0
  }
}

/** The search options of deliveries and replay, and what they ask for. */
const SEARCH = {
  'event-type': { type: 'string', arg: 'TYPE', help: 'only this event type' },
  'case-id': { type: 'string', arg: 'CODE', help: 'only this dossier' }
} as const

function searchOf (values: Context['values']): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [opt, field] of [['status', 'status'], ['event-type', 'eventType'], ['case-id', 'caseId'], ['limit', 'limit'], ['cursor', 'cursor']]) {
    if (typeof values[opt] === 'string') out[field] = values[opt] as string
  }
  return out
}

const deliveries: Command = {
  path: ['subscriptions', 'deliveries'],
  summary: 'delivery status of a subscription, newest first',
  options: {
    ...ID,
    ...SEARCH,
    status: { type: 'string', arg: 'STATUS', help: 'pending, delivering, retrying, delivered or failed' },
    limit: { type: 'string', arg: 'N', help: 'at most N (1-1000, default 100)' },
    cursor: { type: 'string', arg: 'CURSOR', help: 'the nextCursor of the previous page' },
    ...JSON_OPTION
  },
  async run ({ values, io, gateway }) {
    const q = new URLSearchParams(searchOf(values))
    const page = await gateway().call<{ items: Delivery[], nextCursor: string | null }>('GET', `${path(str(values, 'id'))}/deliveries${q.size > 0 ? `?${q.toString()}` : ''}`)
    if (values.json === true) io.out(pretty(page))
    else if (page.items.length === 0) io.out('No deliveries.')
    else {
      io.out(table(['EVENT', 'TYPE', 'CASE', 'STATUS', 'ATTEMPTS', 'LAST'],
        page.items.map((d) => [d.eventId, d.eventType, d.caseId ?? '-', d.status, String(d.attempts), d.lastError ?? (d.lastStatus !== undefined ? String(d.lastStatus) : '-')])))
      if (page.nextCursor !== null) io.out(`more: --cursor ${page.nextCursor}`)
    }
    return 0
  }
}

const replay: Command = {
  path: ['subscriptions', 'replay'],
  summary: 'replay deliveries of a subscription (default: its dead letters)',
  options: { ...ID, ...SEARCH, status: { type: 'string', arg: 'STATUS', help: 'failed (default) or delivered' } },
  async run ({ values, io, gateway }) {
    const { replayed } = await gateway().call<{ replayed: number }>('POST', `${path(str(values, 'id'))}/replay`, searchOf(values))
    io.out(`Replayed ${replayed} deliveries of ${str(values, 'id')}.`)
    return 0
  }
}

const eventTypes: Command = {
  path: ['event-types', 'list'],
  summary: 'list the event types that can be subscribed to',
  options: JSON_OPTION,
  async run ({ values, io, gateway }) {
    const types = await gateway().list<{ id: string, version: string, title: string }>('/v1/event-types')
    if (values.json === true) io.out(pretty(types))
    else io.out(table(['TYPE', 'VERSION', 'TITLE'], types.map((e) => [e.id, e.version, e.title])))
    return 0
  }
}

export default [listSubscriptions, createSubscription, showSubscription, deleteSubscription, rotateSecret, deliveries, replay, eventTypes]
