import type { UpstreamFailure } from '../connectors/contract.js'
import { CircuitOpen, NotFound, UpstreamError, UpstreamTimeout, UpstreamUnavailable } from '../errors.js'

/** The client-facing error for an upstream failure (architecture.md §3.3: 404, 502, 503, 504). */
export function failureToError (failure: UpstreamFailure, serviceId: string): Error {
  switch (failure.kind) {
    case 'not_found': return new NotFound(`The subject was not found by the national system behind ${serviceId}`)
    case 'timeout': return new UpstreamTimeout(serviceId)
    case 'unavailable': return new UpstreamUnavailable(serviceId)
    case 'circuit_open': return Object.assign(new CircuitOpen(serviceId), { retryAfterSeconds: 10 })
    default: return new UpstreamError(serviceId)
  }
}
