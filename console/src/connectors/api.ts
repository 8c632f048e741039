import { allItems } from '../base/api.js'
import type { Schema } from '../base/schema-check.js'

export interface ConnectorType { type: string, version: string, description?: string, services: string[], secretFields: string[], configSchema: Schema }
export interface Connector { id: string, type: string, services: string[], provinces: string[] | null, config: Record<string, unknown>, enabled: boolean, version?: number }
export interface Province { code: string, name: string, fullName?: string }

export const connectorTypes = async (): Promise<ConnectorType[]> => await allItems<ConnectorType>('/v1/admin/connector-types', 1000)
export const connectors = async (): Promise<Connector[]> => await allItems<Connector>('/v1/admin/connectors', 1000)
export const provinces = async (): Promise<Province[]> => await allItems<Province>('/v1/admin-units/provinces', 100)

/** The body of PUT for an instance as GET returned it (masked secrets are kept by the gateway). */
export const replaceBody = (c: Connector, over: Partial<Connector> = {}): Omit<Connector, 'id' | 'version'> =>
  ({ type: c.type, services: c.services, provinces: c.provinces, config: c.config, enabled: c.enabled, ...over })
