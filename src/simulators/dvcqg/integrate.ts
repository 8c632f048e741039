import { DvcqgErrorCode as E, fail, type DvcqgAnswer } from './codes.js'
import type { PortalService, ReceivedStore } from './store.js'
import { batchProblem, dossierProblem, parseIsUpdating, progressProblem } from './validate.js'
import { lookupDossier } from './lookup.js'

const MAX_BATCH = 1000

/**
 * Applies one `POST /api/integration` envelope whose session is already checked: validates it whole, then
 * applies every item or none (a batch is atomic).
 */
export function integrate (store: ReceivedStore, body: Record<string, unknown>): DvcqgAnswer {
  const { madonvi, service, data } = body
  if (typeof madonvi !== 'string' || madonvi.trim() === '') return fail(E.VALIDATION_FAILED, 'madonvi: required')
  if (service === 'TraCuuHoSo') return lookupDossier(store, body)
  if (service !== 'DongBoHoSoMC' && service !== 'CapNhatTienDoHoSoMC') {
    return fail(E.UNKNOWN_SERVICE, `Unknown service ${JSON.stringify(service)}`)
  }
  if (!Array.isArray(data) || data.length === 0) return fail(E.VALIDATION_FAILED, 'data: expected a non-empty array')
  if (data.length > MAX_BATCH) return fail(E.VALIDATION_FAILED, `data: at most ${MAX_BATCH} items`)
  const items = data as Array<Record<string, unknown> & { MaHoSo: string }>
  return service === 'DongBoHoSoMC'
    ? syncDossiers(store, madonvi, items, body.isUpdating)
    : syncProgress(store, madonvi, items)
}

function ok (service: PortalService, items: ReadonlyArray<{ MaHoSo: string }>): DvcqgAnswer {
  return { error_code: E.OK, message: 'OK', service, result: items.map((i) => ({ MaHoSo: i.MaHoSo, error_code: E.OK })) }
}

function syncDossiers (
  store: ReceivedStore, madonvi: string, items: Array<Record<string, unknown> & { MaHoSo: string }>, rawIsUpdating: unknown
): DvcqgAnswer {
  const isUpdating = parseIsUpdating(rawIsUpdating)
  if (isUpdating === undefined) return fail(E.VALIDATION_FAILED, 'isUpdating: expected true/false or "True"/"False"')
  const problem = batchProblem(items, dossierProblem)
  if (problem !== undefined) return fail(E.VALIDATION_FAILED, problem)
  const seen = new Set<string>()
  for (const { MaHoSo } of items) {
    const exists = store.has(MaHoSo) || (!isUpdating && seen.has(MaHoSo))
    if (!isUpdating && exists) return fail(E.DOSSIER_EXISTS, `Hồ sơ ${MaHoSo} đã tồn tại (dossier exists: send isUpdating true)`)
    if (isUpdating && !store.has(MaHoSo)) return fail(E.DOSSIER_NOT_FOUND, `Không tìm thấy hồ sơ ${MaHoSo} (dossier not found)`)
    seen.add(MaHoSo)
  }
  for (const data of items) store.apply({ service: 'DongBoHoSoMC', maHoSo: data.MaHoSo, isUpdating, madonvi, data })
  return ok('DongBoHoSoMC', items)
}

function syncProgress (
  store: ReceivedStore, madonvi: string, items: Array<Record<string, unknown> & { MaHoSo: string }>
): DvcqgAnswer {
  const problem = batchProblem(items, progressProblem)
  if (problem !== undefined) return fail(E.VALIDATION_FAILED, problem)
  const missing = items.find((i) => !store.has(i.MaHoSo))
  if (missing !== undefined) return fail(E.DOSSIER_NOT_FOUND, `Không tìm thấy hồ sơ ${missing.MaHoSo} (dossier not found)`)
  for (const data of items) store.apply({ service: 'CapNhatTienDoHoSoMC', maHoSo: data.MaHoSo, madonvi, data })
  return ok('CapNhatTienDoHoSoMC', items)
}
