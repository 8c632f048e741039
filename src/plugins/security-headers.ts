import type { IncomingMessage, ServerResponse } from 'node:http'
import helmet, { type HelmetOptions } from 'helmet'

/**
 * The security headers helmet sets, computed once. With the content security policy left to the pages that
 * serve HTML (the docs set their own), every one of helmet's headers is a constant: running its middleware chain
 * on each request (as @fastify/helmet does) cost ≈ 15 % of the CPU of the cheapest route. helmet stays the
 * source of the values; only the per-request work is gone.
 */
export function securityHeaders (options: HelmetOptions = { contentSecurityPolicy: false }): Record<string, string> {
  const headers: Record<string, string> = {}
  const recorder = {
    setHeader (name: string, value: string | number | readonly string[]) {
      if (typeof value !== 'string') throw new TypeError(`helmet header ${name} is not a constant string`)
      headers[name.toLowerCase()] = value
    },
    // `X-Powered-By`: fastify never sets it
    removeHeader (name: string) { delete headers[name.toLowerCase()] }
  }
  let failure: unknown
  helmet(options)({} as unknown as IncomingMessage, recorder as unknown as ServerResponse, (err?: unknown) => { failure = err })
  if (failure !== undefined) throw failure
  return headers
}
