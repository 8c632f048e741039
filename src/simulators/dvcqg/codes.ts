/**
 * `error_code` values of the portal simulator (HTTP status is 200 for all of them, like the real portal).
 * The real portal's full table is not public; these are the simulator's, documented in README.md.
 */
export const DvcqgErrorCode = {
  OK: 0,
  /** Unknown or expired session: authenticate again, then resend. */
  SESSION_INVALID: -1,
  /** The envelope or an item of `data` is invalid (permanent). */
  VALIDATION_FAILED: 1,
  /** Progress for a dossier the portal does not have, or `isUpdating: true` for one it does not have (permanent). */
  DOSSIER_NOT_FOUND: 2,
  /** `isUpdating: false` for a dossier the portal already has (permanent: resend with `isUpdating: true`). */
  DOSSIER_EXISTS: 3,
  /** Wrong username or password (permanent until the configuration is fixed). */
  AUTH_FAILED: 4,
  /** Missing (or, when the simulator is configured with one, wrong) `dstcode` header (permanent). */
  DSTCODE_INVALID: 5,
  /** `service` is not one the portal offers (permanent). */
  UNKNOWN_SERVICE: 6,
  /** Internal error of the portal (retryable); the default code of forced errors. */
  INTERNAL: 99
} as const

export type DvcqgErrorCodeValue = typeof DvcqgErrorCode[keyof typeof DvcqgErrorCode]

/** The codes a client may retry (after re-authenticating for SESSION_INVALID). */
export const RETRYABLE_CODES: ReadonlySet<number> = new Set([DvcqgErrorCode.SESSION_INVALID, DvcqgErrorCode.INTERNAL])

export interface DvcqgAnswer {
  error_code: number
  message: string
  [key: string]: unknown
}

export const fail = (code: number, message: string): DvcqgAnswer => ({ error_code: code, message })
