import { defineConnectorType, failureOfStatus, UpstreamFailure, type CallContext } from '../../src/connectors/contract.js'
import { restJsonConfigSchema, type RestJsonConfig } from './config-schema.js'
import { OAuth2TokenCache } from './oauth2-token.js'

const MAX_RESPONSE_BYTES = 1024 * 1024

/**
 * `rest-json`: the canonical request as JSON over HTTP to a configurable path per service, outbound auth
 * by a static header or OAuth2 client credentials (token cached), the response body as the result `data`.
 */
export default defineConnectorType<RestJsonConfig>({
  type: 'rest-json',
  version: '1.0.0',
  description: 'JSON over HTTP: one path per service; auth by header or OAuth2 client credentials',
  // lookups, and the procedure steps of docs/procedures.md (the gateway checks each id against its catalogue)
  services: ['citizen.lookup', 'land.parcel.lookup', 'tax.taxpayer.lookup', 'insurance.coverage.lookup',
    'civil-status.birth.register', 'population.pin.issue', 'residence.permanent.register', 'insurance.card.issue',
    'civil-status.death.register', 'residence.permanent.deregister', 'insurance.funeral.allowance', 'insurance.survivor.benefit'],
  configSchema: restJsonConfigSchema,
  secretFields: ['/auth/value', '/auth/clientSecret'],
  origin: (config) => new URL(config.baseUrl).origin,
  create (config) {
    const base = new URL(config.baseUrl)
    const prefix = base.pathname.replace(/\/$/, '')
    const auth = config.auth ?? { type: 'none' }
    const oauth = auth.type === 'oauth2' ? new OAuth2TokenCache(auth) : undefined

    async function authHeaders (signal: AbortSignal): Promise<Record<string, string>> {
      if (auth.type === 'header') return { [auth.name.toLowerCase()]: auth.value }
      if (oauth !== undefined) return { authorization: `Bearer ${await oauth.get(signal)}` }
      return {}
    }

    async function send (method: 'GET' | 'POST', path: string, body: unknown, ctx: CallContext): Promise<unknown> {
      const res = await ctx.http.request({
        method,
        path: prefix + path,
        signal: ctx.signal,
        headers: {
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...ctx.headers,
          ...await authHeaders(ctx.signal)
        },
        body: body !== undefined ? JSON.stringify(body) : undefined
      })
      if (res.statusCode === 401 && oauth !== undefined) oauth.invalidate()
      const failure = failureOfStatus(res.statusCode)
      if (failure !== undefined) {
        await res.body.dump()
        throw failure
      }
      const length = Number(res.headers['content-length'] ?? 0)
      if (length > MAX_RESPONSE_BYTES) {
        await res.body.dump()
        throw new UpstreamFailure('error', 'upstream response too large', { retryable: false })
      }
      try {
        return await res.body.json()
      } catch (err) {
        throw new UpstreamFailure('error', 'upstream answered with malformed JSON', { cause: err, upstreamStatus: res.statusCode })
      }
    }

    return {
      async lookup (serviceId, request, ctx) {
        const op = config.operations[serviceId]
        if (op === undefined) throw new UpstreamFailure('rejected', `no operation configured for ${serviceId}`, { retryable: false })
        return op.method === 'GET'
          ? await send('GET', op.path, undefined, ctx)
          : await send('POST', op.path, request, ctx)
      },
      async probe (ctx) {
        if (config.probePath === undefined) return
        await send('GET', config.probePath, undefined, ctx)
      }
    }
  }
})
