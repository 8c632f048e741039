import { get, itemsOf } from '../base/api.js'
import type { Schema } from '../base/schema-check.js'

export interface ConnectorType { type: string, version: string, description?: string, services: string[], secretFields: string[], configSchema: Schema }
export interface Connector { id: string, type: string, services: string[], provinces: string[] | null, config: Record<string, unknown>, enabled: boolean, version?: number }
export interface Province { code: string, name: string, fullName?: string }

export const connectorTypes = async (): Promise<ConnectorType[]> => itemsOf(await get<ConnectorType[] | { items: ConnectorType[] }>('/v1/admin/connector-types')).items
export const connectors = async (): Promise<Connector[]> => itemsOf(await get<Connector[] | { items: Connector[] }>('/v1/admin/connectors')).items
export const provinces = async (): Promise<Province[]> => itemsOf(await get<Province[] | { items: Province[] }>('/v1/admin-units/provinces')).items

/** The body of PUT for an instance as GET returned it (masked secrets are kept by the gateway). */
export const replaceBody = (c: Connector, over: Partial<Connector> = {}): Omit<Connector, 'id' | 'version'> =>
  ({ type: c.type, services: c.services, provinces: c.provinces, config: c.config, enabled: c.enabled, ...over })
