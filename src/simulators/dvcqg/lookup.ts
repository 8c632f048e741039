import { DvcqgErrorCode as E, fail, type DvcqgAnswer } from './codes.js'
import type { ReceivedStore } from './store.js'

/**
 * `TraCuuHoSo` (look up a dossier on the portal, domain.md §1.3): the dossier's current version as the portal
 * holds it and the processing steps it received, so a client can tell whether a doubtful send was applied.
 * Answer: `{ error_code: 0, result: [{ HoSo, DanhSachTienDo }] }`, or DOSSIER_NOT_FOUND.
 */
export function lookupDossier (store: ReceivedStore, body: Record<string, unknown>): DvcqgAnswer {
  const maHoSo = body.MaHoSo
  if (typeof maHoSo !== 'string' || maHoSo.trim() === '') return fail(E.VALIDATION_FAILED, 'MaHoSo: required')
  const dossier = store.dossier(maHoSo)
  if (dossier === undefined) return fail(E.DOSSIER_NOT_FOUND, `Không tìm thấy hồ sơ ${maHoSo} (dossier not found)`)
  const steps = store.received(maHoSo).progress.map((a) => a.data)
  return { error_code: E.OK, message: 'OK', service: 'TraCuuHoSo', result: [{ HoSo: dossier, DanhSachTienDo: steps }] }
}
