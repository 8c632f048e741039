import { AGENCY_ID, DOSSIER_CODE } from '../identifiers/dossier-code.js'

/**
 * Which agencies a client acts for (issue 22): a list of agency electronic identifiers (QCVN 102:2016,
 * `000.00.00.H29`) or patterns of them. A pattern is an identifier whose segments may be `*`, each `*` standing
 * for one whole segment: `000.00.*.H29` is every `000.00.NN.H29`, `*.*.*.H29` every agency of H29. Partial
 * segments (`0*`), other wildcards and `*.*.*.*` (every agency of the country) are refused.
 */
export const AGENCY_PATTERN = /^(?:\d{3}|\*)\.(?:\d{2}|\*)\.(?:\d{2}|\*)\.(?:[A-Z]\d{2}|\*)$/
export const AGENCY_PATTERN_SOURCE = AGENCY_PATTERN.source
export const MAX_AGENCIES = 1000
const EVERYTHING = '*.*.*.*'

/** Why a pattern is refused (undefined when it is a valid one). */
export function agencyPatternError (pattern: string): string | undefined {
  if (!AGENCY_PATTERN.test(pattern)) return 'must be an agency id such as 000.00.00.H29, segments may be * (000.00.*.H29)'
  if (pattern === EVERYTHING) return 'must not be *.*.*.* (every agency): list the agencies or provinces this system acts for'
  return undefined
}

/** The agencies a new client acts for when none are given: its own id when that is an agency id, else none. */
export const defaultAgencies = (clientId: string): string[] => AGENCY_ID.test(clientId) ? [clientId] : []

/** The receiving agency of a dossier code (`000.00.01.H22-250715-0001` → `000.00.01.H22`); undefined if it is not one. */
export const agencyOfDossier = (code: string): string | undefined => DOSSIER_CODE.exec(code)?.[1]

/** A client's agency patterns, ready to be asked about one agency id. */
export class AgencyScope {
  readonly #exact = new Set<string>()
  readonly #patterns: string[][] = []

  constructor (patterns: readonly string[]) {
    for (const p of patterns) {
      if (p.includes('*')) this.#patterns.push(p.split('.'))
      else this.#exact.add(p)
    }
  }

  /** True when this client acts for `agency` (an agency id; anything else is never allowed). */
  allows (agency: string | undefined): boolean {
    if (agency === undefined || !AGENCY_ID.test(agency)) return false
    if (this.#exact.has(agency)) return true
    if (this.#patterns.length === 0) return false
    const parts = agency.split('.')
    return this.#patterns.some((p) => p.every((segment, i) => segment === '*' || segment === parts[i]))
  }
}
