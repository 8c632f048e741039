import { defineConnectorType, failureOfStatus, UpstreamFailure, type CallContext } from '../../src/connectors/contract.js'
import { populationConfigSchema, type PopulationConfig } from './config-schema.js'
import { toFeedEvent } from './mapping.js'

const MAX_RESPONSE_BYTES = 8 * 1024 * 1024

/**
 * `population`: the change feed of the National Population Database (deaths, changes of residence), pulled with
 * "the changes after this one" and mapped to `citizen.*` events (README.md).
 */
export default defineConnectorType<PopulationConfig>({
  type: 'population',
  version: '1.0.0',
  description: 'National Population Database change feed: deaths and changes of residence as citizen events',
  services: ['citizen.events'],
  configSchema: populationConfigSchema,
  secretFields: ['/apiKey'],
  origin: (config) => new URL(config.baseUrl).origin,
  create (config) {
    const prefix = new URL(config.baseUrl).pathname.replace(/\/$/, '')
    const auth: Record<string, string> = config.apiKey !== undefined ? { [(config.apiKeyHeader ?? 'x-api-key').toLowerCase()]: config.apiKey } : {}

    async function call (method: 'GET' | 'POST', path: string, body: unknown, ctx: CallContext): Promise<Record<string, unknown>> {
      const res = await ctx.http.request({
        method,
        path: prefix + path,
        signal: ctx.signal,
        headers: { accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...ctx.headers, ...auth },
        body: body !== undefined ? JSON.stringify(body) : undefined
      })
      const failure = failureOfStatus(res.statusCode)
      if (failure !== undefined || Number(res.headers['content-length'] ?? 0) > MAX_RESPONSE_BYTES) {
        await res.body.dump()
        throw failure ?? new UpstreamFailure('error', 'population feed answer too large', { retryable: false })
      }
      try {
        return await res.body.json() as Record<string, unknown>
      } catch (err) {
        throw new UpstreamFailure('error', 'population feed answered with malformed JSON', { cause: err, upstreamStatus: res.statusCode })
      }
    }

    return {
      async pull (serviceId, request, ctx) {
        if (serviceId !== 'citizen.events') throw new UpstreamFailure('rejected', `population has no feed ${serviceId}`, { retryable: false })
        const answer = await call('POST', config.changesPath ?? '/api/citizens/changes', { after: request.cursor ?? '0', limit: request.limit }, ctx)
        const changes = Array.isArray(answer.changes) ? answer.changes as Array<Record<string, unknown>> : []
        return { events: changes.map(toFeedEvent), cursor: typeof answer.last === 'string' ? answer.last : request.cursor }
      },
      async probe (ctx) {
        if (config.probePath !== undefined) await call('GET', config.probePath, undefined, ctx)
      }
    }
  }
})
