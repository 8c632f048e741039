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
