import type { FastifyInstance } from 'fastify'
import type { ServiceDefinition } from '../catalog/services.js'
import type { ConnectorInstance } from '../connectors/runtime/instance.js'
import { AmbiguousAdminUnit, ValidationFailed } from '../errors.js'

export interface Resolved { field: string, from: string, to: string, asOf?: string }

export interface Routing {
  instances: ConnectorInstance[]
  /** Old codes translated to today's (architecture.md §3.3 `meta.resolved`). */
  resolved?: Resolved[]
  /** Today's province the request was routed by. */
  provinceCode?: string
  /** The body to send upstream: old codes replaced by today's. */
  routedBody: Record<string, unknown>
}

const str = (v: unknown): string | undefined => typeof v === 'string' ? v : undefined

/**
 * Which connector instances serve this request, in the order to ask them. Globally routed services have
 * one. Province-routed services (land) go to the instance of the province the request's unit belongs to
 * TODAY: an old commune or province code with a date before 2025-07-01 is translated first, an ambiguous
 * one (a commune split between several new ones) is refused with its candidates, never guessed. A parcel
 * id alone names no province: every province is asked in turn — only while there are at most LAND_PARCEL_FANOUT_MAX
 * of them (issue 22: with 34 provinces one request would be 34 upstream calls); past that, `provinceCode` is required.
 */
export function chooseInstances (app: FastifyInstance, service: ServiceDefinition, body: Record<string, unknown>): Routing {
  if (service.routing === 'global') {
    const inst = app.connectors.route(service.id)
    return { instances: inst !== undefined ? [inst] : [], routedBody: body }
  }
  const communeCode = str(body.communeCode)
  const provinceCode = str(body.provinceCode)
  const asOf = str(body.asOf)
  if (communeCode === undefined && provinceCode === undefined) {
    const all = app.connectors.all(service.id)
    const max = app.config.landParcelFanoutMax
    if (all.length > max) {
      const message = `is required: ${all.length} provincial databases serve ${service.id}, and a lookup without a province may ask at most ${max}`
      throw Object.assign(new ValidationFailed(`provinceCode ${message}`), { errors: [{ path: '/provinceCode', message }] })
    }
    return { instances: all, routedBody: body }
  }
  const route = app.adminUnits.resolveProvinceForRouting({ communeCode, provinceCode, asOf })
  if (route.status === 'ambiguous') {
    throw Object.assign(new AmbiguousAdminUnit(`${route.reason}; send today's code of the unit`), {
      candidates: route.candidates.map((c) => ({ code: c.code, name: c.fullName, level: c.level, provinceCode: c.provinceCode, kind: c.kind }))
    })
  }
  if (route.status !== 'resolved') {
    const path = communeCode !== undefined ? '/body/communeCode' : '/body/provinceCode'
    throw Object.assign(new ValidationFailed(`Unknown administrative unit: ${route.reason}`), { errors: [{ path, message: route.reason }] })
  }
  const resolved: Resolved[] = []
  const routedBody = { ...body }
  const today = route.resolution.commune?.code
  if (communeCode !== undefined && today !== undefined && today !== communeCode) {
    resolved.push({ field: 'communeCode', from: communeCode, to: today, ...(asOf !== undefined ? { asOf } : {}) })
    routedBody.communeCode = today
  }
  if (provinceCode !== undefined && provinceCode !== route.provinceCode) {
    resolved.push({ field: 'provinceCode', from: provinceCode, to: route.provinceCode, ...(asOf !== undefined ? { asOf } : {}) })
    routedBody.provinceCode = route.provinceCode
  }
  const inst = app.connectors.route(service.id, route.provinceCode)
  return {
    instances: inst !== undefined ? [inst] : [],
    provinceCode: route.provinceCode,
    routedBody,
    ...(resolved.length > 0 ? { resolved } : {})
  }
}
