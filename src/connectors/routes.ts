import type { ServiceDefinition } from '../catalog/services.js'

export interface RoutableInstance { id: string, services: string[], provinces: string[] | null, enabled: boolean }

/**
 * Routing rules: for a service routed globally, exactly one enabled instance; for a service routed by
 * province, at most one enabled instance per province, plus at most one without provinces (the fallback).
 * Returns the problems (ambiguous routes), so they are rejected when saved, not found at request time.
 */
export function routeConflicts (instances: RoutableInstance[], services: readonly ServiceDefinition[]): string[] {
  const problems: string[] = []
  for (const svc of services) {
    const serving = instances.filter((i) => i.enabled && i.services.includes(svc.id))
    const fallback = serving.filter((i) => i.provinces === null || i.provinces.length === 0)
    if (svc.routing === 'global' && serving.length > 1) {
      problems.push(`${svc.id} is served by more than one enabled instance: ${serving.map((i) => i.id).join(', ')}`)
      continue
    }
    if (fallback.length > 1) problems.push(`${svc.id} has more than one instance for all provinces: ${fallback.map((i) => i.id).join(', ')}`)
    const byProvince = new Map<string, string>()
    for (const inst of serving) {
      for (const p of inst.provinces ?? []) {
        const other = byProvince.get(p)
        if (other !== undefined) problems.push(`${svc.id} for province ${p} is served by both ${other} and ${inst.id}`)
        byProvince.set(p, inst.id)
      }
    }
  }
  return problems
}

/** A routing table built from one snapshot of the instances. */
export class RouteTable<T extends RoutableInstance> {
  readonly #global = new Map<string, T>()
  readonly #byProvince = new Map<string, Map<string, T>>()
  readonly #all = new Map<string, T[]>()

  constructor (instances: T[]) {
    for (const inst of instances) {
      if (!inst.enabled) continue
      for (const svc of inst.services) {
        const list = this.#all.get(svc) ?? []
        list.push(inst)
        this.#all.set(svc, list)
        if (inst.provinces === null || inst.provinces.length === 0) {
          this.#global.set(svc, inst)
        } else {
          const map = this.#byProvince.get(svc) ?? new Map<string, T>()
          for (const p of inst.provinces) map.set(p, inst)
          this.#byProvince.set(svc, map)
        }
      }
    }
  }

  /** The instance for a service (and today's province, for province-routed services). */
  route (serviceId: string, province?: string): T | undefined {
    if (province !== undefined) {
      const hit = this.#byProvince.get(serviceId)?.get(province)
      if (hit !== undefined) return hit
    }
    return this.#global.get(serviceId)
  }

  /** Every enabled instance serving a service (for lookups that must ask each province in turn). */
  all (serviceId: string): T[] { return this.#all.get(serviceId) ?? [] }
}
