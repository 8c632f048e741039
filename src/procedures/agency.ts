import type { Principal } from '../plugins/auth.js'
import { AgencyNotAllowed } from '../errors.js'

/**
 * A client files a case only for an agency it acts for: the agencies an admin lists for it (src/auth/agencies.ts,
 * the same binding as dossier calls). 403 AGENCY_NOT_ALLOWED, without saying whether anything exists under that agency.
 */
export function assertActsFor (principal: Principal, agencyCode: string): void {
  if (!principal.agencies.allows(agencyCode)) {
    throw new AgencyNotAllowed(`Client ${principal.clientId} does not act for agency ${agencyCode.slice(0, 32)}: an admin lists the agencies of each client`)
  }
}
