import createError from '@fastify/error'

/**
 * The catalogue of stable error codes (architecture.md §3). A code is never reused for another meaning;
 * messages say what to fix. Every error a client can see is one of these, rendered as problem+json.
 */
export const ValidationFailed = createError('VALIDATION_FAILED', '%s', 400)
export const Unauthorized = createError('UNAUTHORIZED', '%s', 401)
export const Forbidden = createError('FORBIDDEN', '%s', 403)
export const PurposeRequired = createError('PURPOSE_REQUIRED',
  'The X-Purpose header is required: give the legal purpose of this request (e.g. a procedure code such as 1.000894)', 400)
/** The purpose given is not one the client's grant for the service allows (issue 15 #8). */
export const PurposeNotAllowed = createError('PURPOSE_NOT_ALLOWED', '%s', 403)
/**
 * The dossier belongs to an agency this client does not act for (issue 22 #1). Decided from the code alone, never
 * from the database: the same answer whether such a dossier exists or not.
 */
export const AgencyNotAllowed = createError('AGENCY_NOT_ALLOWED', '%s', 403)
/** A connector update keeps a stored secret while the address it is sent to changed: it must be given again. */
export const SecretRequired = createError('SECRET_REQUIRED', '%s', 400)
/** The token endpoint knows `client_credentials` only (RFC 6749 §5.2 `unsupported_grant_type`). */
export const UnsupportedGrantType = createError('UNSUPPORTED_GRANT_TYPE', '%s', 400)
export const ServiceNotFound = createError('SERVICE_NOT_FOUND', 'Service "%s" does not exist', 404)
export const NotALookup = createError('SERVICE_NOT_FOUND', 'Service "%s" is a delivery service, not a lookup: deliveries are sent to /v1/dossiers', 404)
export const NotFound = createError('NOT_FOUND', '%s', 404)
export const MethodNotAllowed = createError('METHOD_NOT_ALLOWED', '%s', 405)
export const Conflict = createError('CONFLICT', '%s', 409)
export const PayloadTooLarge = createError('PAYLOAD_TOO_LARGE', 'Request body is larger than %d bytes', 413)
export const UnsupportedMediaType = createError('UNSUPPORTED_MEDIA_TYPE', '%s', 415)
export const RateLimited = createError('RATE_LIMITED', '%s', 429)
export const UpstreamTimeout = createError('UPSTREAM_TIMEOUT', 'The national system behind "%s" did not answer in time', 504)
export const UpstreamUnavailable = createError('UPSTREAM_UNAVAILABLE', 'The national system behind "%s" is unavailable', 503)
export const UpstreamError = createError('UPSTREAM_ERROR', 'The national system behind "%s" answered with an error', 502)
export const CircuitOpen = createError('CIRCUIT_OPEN', 'Calls to "%s" are suspended after repeated failures; retry later', 503)
export const NoRoute = createError('UPSTREAM_UNAVAILABLE', 'No enabled connector serves "%s"%s', 503)
export const ServiceUnavailable = createError('SERVICE_UNAVAILABLE', '%s', 503)
export const AmbiguousAdminUnit = createError('AMBIGUOUS_ADMIN_UNIT', '%s', 422)
export const Internal = createError('INTERNAL', 'Internal error', 500)
