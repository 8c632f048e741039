import type { ConsoleConfig } from '../config.js'

export type PersonRole = 'admin' | 'auditor'

/** The value at a dotted claim path (`roles`, `realm_access.roles`, `resource_access.lienthong.roles`). */
function claimAt (claims: Record<string, unknown>, path: string): unknown {
  let at: unknown = claims
  for (const part of path.split('.')) {
    if (typeof at !== 'object' || at === null) return undefined
    at = (at as Record<string, unknown>)[part]
  }
  return at
}

/**
 * The gateway roles of a person: the values of the configured claim (an array, or a space- or comma-separated
 * string) mapped through CONSOLE_ROLE_MAP. Values not in the map give nothing; a person gets `system` never.
 */
export function personRoles (claims: Record<string, unknown>, cfg: Pick<ConsoleConfig, 'roleClaim' | 'roleMap'>): PersonRole[] {
  const raw = claimAt(claims, cfg.roleClaim)
  const values = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(/[\s,]+/) : []
  const roles = new Set<PersonRole>()
  for (const v of values) {
    if (typeof v !== 'string' || !Object.hasOwn(cfg.roleMap, v)) continue
    for (const r of cfg.roleMap[v]) roles.add(r)
  }
  return [...roles].sort()
}
