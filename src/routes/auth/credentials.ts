import { ValidationFailed } from '../../errors.js'

export interface TokenBody { grant_type?: string, client_id?: string, client_secret?: string, scope?: string }

/** The client credentials of a token request, and how they came (RFC 6749 §2.3.1). */
export interface Credentials { id: string, secret: string, method: 'client_secret_basic' | 'client_secret_post' }

const invalidRequest = (message: string): Error =>
  Object.assign(new ValidationFailed(message), { errors: [{ path: 'headers/authorization', message }] })

/** application/x-www-form-urlencoded decoding of one Basic part; `+` is a space. Throws on a malformed `%`. */
const formDecode = (part: string): string => decodeURIComponent(part.replaceAll('+', ' '))

/**
 * HTTP Basic credentials (RFC 7617), whose id and secret are form-urlencoded first (RFC 6749 §2.3.1). Undefined
 * when the header is not Basic; a 400 when it is Basic but malformed (no colon, a bad percent-encoding).
 */
export function basicCredentials (authorization: string | undefined): { id: string, secret: string } | undefined {
  if (authorization === undefined || !/^basic /i.test(authorization)) return undefined
  const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon <= 0) throw invalidRequest('HTTP Basic credentials must be client_id:client_secret')
  try {
    return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) }
  } catch {
    throw invalidRequest('HTTP Basic credentials must be form-urlencoded (RFC 6749 §2.3.1): a % must start a valid escape')
  }
}

/**
 * The credentials this request authenticates with: HTTP Basic, or client_id and client_secret in the body — not
 * both (RFC 6749 §2.3: one method per request). A body client_id beside Basic is allowed only when it is the same
 * id. Undefined when the request carries none.
 */
export function credentialsOf (body: TokenBody, authorization: string | undefined): Credentials | undefined {
  const basic = basicCredentials(authorization)
  if (basic !== undefined) {
    if (body.client_secret !== undefined) throw invalidRequest('Use one client authentication method: HTTP Basic or client_secret in the body, not both')
    if (body.client_id !== undefined && body.client_id !== basic.id) throw invalidRequest('client_id in the body differs from the HTTP Basic client id')
    return { ...basic, method: 'client_secret_basic' }
  }
  if (typeof body.client_id !== 'string' || typeof body.client_secret !== 'string') return undefined
  return { id: body.client_id, secret: body.client_secret, method: 'client_secret_post' }
}
