/** The realm of every challenge the gateway sends. */
export const REALM = 'lienthong'

/** RFC 6750/7235 quoted-string: the description as printable ASCII without quote or backslash. */
const quoted = (text: string): string => text.replace(/[^\x20-\x7e]|["\\]/g, ' ').slice(0, 200)

/**
 * `WWW-Authenticate` of a 401 on a bearer-protected route (RFC 6750 §3): the realm alone when no token was given,
 * with `error="invalid_token"` and a description when one was given and refused.
 */
export const bearerChallenge = (description?: string): string => description === undefined
  ? `Bearer realm="${REALM}"`
  : `Bearer realm="${REALM}", error="invalid_token", error_description="${quoted(description)}"`

/** `WWW-Authenticate` of the token endpoint's invalid_client (RFC 6749 §5.2, RFC 7617). */
export const basicChallenge = `Basic realm="${REALM}", charset="UTF-8"`
