import type { ServiceDefinition } from '../catalog/services.js'
import type { RoutableInstance } from './routes.js'

const serves = (i: RoutableInstance, service: string, province?: string): boolean =>
  i.enabled && i.services.includes(service) &&
  (province === undefined || i.provinces === null || i.provinces.length === 0 || i.provinces.includes(province))

/**
 * Routes that a change would leave without any enabled instance, for services some client is granted:
 * `land.parcel.lookup for province 79`, `citizen.lookup`. Empty when nothing granted loses its route.
 */
export function lostRoutes (before: RoutableInstance[], after: RoutableInstance[], granted: Set<string>,
  services: readonly ServiceDefinition[]): string[] {
  const lost: string[] = []
  for (const svc of services) {
    if (!granted.has(svc.id)) continue
    if (svc.routing === 'global') {
      if (before.some((i) => serves(i, svc.id)) && !after.some((i) => serves(i, svc.id))) lost.push(svc.id)
      continue
    }
    const provinces = new Set(before.filter((i) => serves(i, svc.id)).flatMap((i) => i.provinces ?? []))
    for (const p of provinces) {
      if (!after.some((i) => serves(i, svc.id, p))) lost.push(`${svc.id} for province ${p}`)
    }
    const hadFallback = before.some((i) => serves(i, svc.id) && (i.provinces === null || i.provinces.length === 0))
    const hasAny = after.some((i) => serves(i, svc.id))
    if (hadFallback && !hasAny) lost.push(svc.id)
  }
  return lost
}
