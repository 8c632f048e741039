import { PROCEDURE_CODE } from '../identifiers/dossier-code.js'

/**
 * A grant: a service a client may call, and for which purposes (issue 15 #8). Given as the service id alone, it
 * allows any national procedure code as the purpose; given as `{ service, purposes }`, only those purposes. A
 * purpose in a grant is a procedure code from the national catalogue (`1.000894`, which also allows its local
 * forms such as `1.000894.000.00.00.H29`; or one local form exactly) or a legal-basis code an admin defines
 * (`ND13-2023-D17`: a letter, then letters, digits and `. _ - / :`).
 */
export type Grant = string | { service: string, purposes: string[] }

const LEGAL_BASIS = '[A-Za-z][A-Za-z0-9._:/-]{1,63}'
/** What a grant may list as a purpose: a procedure code (national or local form) or a legal-basis code. */
export const PURPOSE_CODE = new RegExp(`^(?:${PROCEDURE_CODE.source.slice(1, -1)}|${LEGAL_BASIS})$`)
export const MAX_PURPOSES = 200

const NATIONAL = /^\d\.\d{6}$/

/** The stored form: the granted service ids, and the purposes of the grants that name them. */
export interface GrantSet { services: string[], purposes: Record<string, string[]> }

export function splitGrants (grants: readonly Grant[]): GrantSet {
  const services: string[] = []
  const purposes: Record<string, string[]> = {}
  for (const g of grants) {
    if (typeof g === 'string') services.push(g)
    else {
      services.push(g.service)
      purposes[g.service] = [...g.purposes]
    }
  }
  return { services, purposes }
}

/** The API form: a plain service id where the grant names no purposes. */
export const joinGrants = (services: readonly string[], purposes: Readonly<Record<string, string[]>>): Grant[] =>
  services.map((s) => Object.hasOwn(purposes, s) ? { service: s, purposes: purposes[s] } : s)

/** The service a grant names. */
export const grantService = (g: Grant): string => typeof g === 'string' ? g : g.service

/** The purpose code of an X-Purpose value: its first word (what follows is a free-text note). */
export const purposeCode = (header: string): string => header.split(/\s/, 1)[0]

/**
 * Whether a purpose code is allowed by a grant's purposes (undefined: a plain grant, any procedure code). A
 * national code in the grant allows its local forms; anything else must be equal.
 */
export function purposeAllowed (allowed: readonly string[] | undefined, code: string): boolean {
  if (allowed === undefined) return PROCEDURE_CODE.test(code)
  const national = PROCEDURE_CODE.test(code) ? code.slice(0, 8) : undefined
  return allowed.some((p) => p === code || (national !== undefined && NATIONAL.test(p) && p === national))
}
