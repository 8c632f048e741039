import { errors } from 'undici'
import { UpstreamFailure } from '../contract.js'

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT'])

/** Maps anything a call can throw (undici errors, aborts, our own failures) to an UpstreamFailure. */
export function toUpstreamFailure (err: unknown, deadlineHit: boolean): UpstreamFailure {
  if (err instanceof UpstreamFailure) return err
  const code = (err as { code?: string }).code ?? ''
  if (deadlineHit || TIMEOUT_CODES.has(code)) {
    return new UpstreamFailure('timeout', 'upstream did not answer in time', { cause: err })
  }
  if (err instanceof errors.RequestAbortedError || (err as Error).name === 'AbortError') {
    return new UpstreamFailure('unavailable', 'call aborted', { retryable: false, cause: err })
  }
  return new UpstreamFailure('unavailable', `upstream unreachable (${code !== '' ? code : (err as Error).message})`, { cause: err })
}

/** Maps an HTTP status of the upstream to a failure, or undefined for a success. */
export function failureOfStatus (status: number): UpstreamFailure | undefined {
  if (status >= 200 && status < 300) return undefined
  if (status === 404) return new UpstreamFailure('not_found', 'subject not found upstream', { upstreamStatus: status, retryable: false })
  if (status === 429 || status === 503) return new UpstreamFailure('unavailable', `upstream answered ${status}`, { upstreamStatus: status })
  if (status === 504 || status === 408) return new UpstreamFailure('timeout', `upstream answered ${status}`, { upstreamStatus: status })
  if (status >= 500) return new UpstreamFailure('error', `upstream answered ${status}`, { upstreamStatus: status })
  return new UpstreamFailure('rejected', `upstream refused the request with ${status}`, { upstreamStatus: status, retryable: false })
}
