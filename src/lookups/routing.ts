import type { FastifyInstance } from 'fastify'
import type { ServiceDefinition } from '../catalog/services.js'
import type { ConnectorInstance } from '../connectors/runtime/instance.js'

export interface Resolution { provinceCode?: string, communeCode?: string, from?: Record<string, string> }

/**
 * Which connector instances serve this request, in the order to ask them. Globally routed services have
 * one; province-routed services (land) use the province of the request, else every province in turn.
 */
export function chooseInstances (app: FastifyInstance, service: ServiceDefinition, body: Record<string, unknown>):
{ instances: ConnectorInstance[], resolved?: Resolution, routedBody: Record<string, unknown> } {
  if (service.routing === 'global') {
    const inst = app.connectors.route(service.id)
    return { instances: inst !== undefined ? [inst] : [], routedBody: body }
  }
  const province = typeof body.provinceCode === 'string' ? body.provinceCode : undefined
  if (province !== undefined) {
    const inst = app.connectors.route(service.id, province)
    return { instances: inst !== undefined ? [inst] : [], routedBody: body }
  }
  return { instances: app.connectors.all(service.id), routedBody: body }
}
