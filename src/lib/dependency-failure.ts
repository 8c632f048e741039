/**
 * Connection-level failures of PostgreSQL or Redis — the gateway's dependencies, not its bugs: refused or lost
 * connections, and the deadlines of docs/api-conventions.md ("Bounded waits") running out: a PostgreSQL statement
 * cancelled by `statement_timeout` (57014), the pg client's `query_timeout` ("Query read timeout"), a pool or
 * connection wait ("timeout exceeded when trying to connect", "Connection terminated due to connection timeout"),
 * an ioredis `commandTimeout` ("Command timed out").
 */
const DEPENDENCY_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57014', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08006', '53300'])
const DEPENDENCY_MESSAGE = /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Command timed out|Stream isn't writeable|Reached the max retries per request|Connection is closed/

export const isDependencyFailure = (err: { code?: unknown, message?: string }): boolean =>
  (typeof err.code === 'string' && DEPENDENCY_CODES.has(err.code)) || DEPENDENCY_MESSAGE.test(err.message ?? '')
