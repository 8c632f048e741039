import { get, itemsOf } from './api.js'

export interface ServiceSummary { id: string, kind: string, title?: string }
let cached: Promise<ServiceSummary[]> | undefined

/** The catalogue's services (GET /v1/services), loaded once per page load. */
export async function services (): Promise<ServiceSummary[]> {
  cached ??= get<ServiceSummary[] | { items: ServiceSummary[] }>('/v1/services').then((a) => itemsOf(a).items)
  return await cached.catch((err) => { cached = undefined; throw err })
}
