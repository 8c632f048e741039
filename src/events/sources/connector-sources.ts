import type { FastifyBaseLogger } from 'fastify'
import { getService } from '../../catalog/services.js'
import type { ConnectorInstance } from '../../connectors/runtime/instance.js'
import type { PullSource } from './puller.js'

/**
 * The change feeds of the live connector instances: every enabled instance serving a `source` service of the
 * catalogue (dossier.events, citizen.events) is a source, named after the instance (and the service, when one
 * instance serves two feeds). Calls go through the instance's runtime: its pool, timeouts, retries and breaker.
 */
export function connectorSources (instances: ConnectorInstance[], log: FastifyBaseLogger): PullSource[] {
  const out: PullSource[] = []
  for (const inst of instances) {
    if (!inst.enabled) continue
    const feeds = inst.services.filter((s) => getService(s)?.kind === 'source')
    for (const service of feeds) {
      out.push({
        id: feeds.length === 1 ? inst.id : `${inst.id}/${service}`,
        initialCursor: null,
        fetch: async (cursor, limit) => await inst.pull(service, { cursor, limit }, { idempotent: true, log: log.child({ connector: inst.id, service }) })
      })
    }
  }
  return out
}
