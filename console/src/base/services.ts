import { allItems } from './api.js'

export interface ServiceSummary { id: string, kind: 'lookup' | 'delivery' | 'procedure' | 'step' | 'source', title?: string }
let cached: Promise<ServiceSummary[]> | undefined

/** The catalogue's services (GET /v1/services), loaded once per page load. */
export async function services (): Promise<ServiceSummary[]> {
  cached ??= allItems<ServiceSummary>('/v1/services', 100)
  return await cached.catch((err) => { cached = undefined; throw err })
}

/** Whether a client may be granted the service: lookups, deliveries and filings (sources and steps are the gateway's own calls). */
export const grantable = (s: ServiceSummary): boolean => s.kind !== 'source' && s.kind !== 'step'
