import type { FastifyInstance } from 'fastify'
import type { Principal } from '../plugins/auth.js'
import { Forbidden } from '../errors.js'

/**
 * Whether a client may act for an agency (file a case received by it). The one place the procedure API asks:
 * the client–agency binding of issue 22 (an admin-managed list of agency ids or prefixes per client) plugs in
 * here. Until it exists every system client granted `procedure.filing` may file for any agency.
 */
export async function mayActFor (_app: FastifyInstance, _principal: Principal, _agencyCode: string): Promise<boolean> {
  return true
}

/** 403 without saying whether anything exists under that agency. */
export async function assertActsFor (app: FastifyInstance, principal: Principal, agencyCode: string): Promise<void> {
  if (!await mayActFor(app, principal, agencyCode)) throw new Forbidden(`Client ${principal.clientId} does not act for agency ${agencyCode}`)
}
