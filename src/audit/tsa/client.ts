import { request } from 'undici'
import { timeStampRequest, tokenOfResponse } from './token.js'

/**
 * Asks an RFC 3161 time-stamping authority (HTTP transport, RFC 3161 §3.4) for a token over a sha256 digest;
 * resolves with the token (DER of its ContentInfo), checked to answer this request. Bounded by `timeoutMs`.
 */
export async function fetchTimestamp (url: string, digestHex: string, timeoutMs: number): Promise<Buffer> {
  const { der, nonce } = timeStampRequest(digestHex)
  const res = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/timestamp-query', accept: 'application/timestamp-reply' },
    body: der,
    signal: AbortSignal.timeout(timeoutMs),
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs
  })
  const body = Buffer.from(await res.body.arrayBuffer())
  if (res.statusCode !== 200) throw new Error(`the time-stamping authority answered HTTP ${res.statusCode}`)
  return tokenOfResponse(body, digestHex, nonce)
}
