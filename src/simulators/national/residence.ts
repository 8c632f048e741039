import { counter, createNationalSimulator, str, type NationalSimulator, type NationalSimulatorOptions } from './base.js'

/**
 * The residence information system (Hệ thống thông tin về cư trú): `POST /api/cutru/dang-ky-thuong-tru` (register a
 * permanent residence: refused without the household head's consent) and `POST /api/cutru/xoa-dang-ky-thuong-tru`
 * (deregister: refused when already deregistered), each with a step key.
 */
export function createResidenceSimulator (opts: NationalSimulatorOptions = {}): NationalSimulator {
  const deregistered = new Set<string>()
  const next = counter('CT-')
  return createNationalSimulator('residence', opts, (app, ledger) => {
    app.post('/api/cutru/dang-ky-thuong-tru', ledger.handler((body) => {
      if (body.householdHeadConsent !== true) return { result: 'refused', reason: 'Chủ hộ không đồng ý cho đăng ký thường trú' }
      const no = next()
      return { result: 'completed', reference: no, outputs: { residenceRecordNo: no, communeCode: str(body.communeCode), registeredAt: new Date().toISOString() } }
    }))
    app.post('/api/cutru/xoa-dang-ky-thuong-tru', ledger.handler((body) => {
      const pin = str(body.personalId)
      if (deregistered.has(pin)) return { result: 'refused', reason: 'Thường trú của người này đã được xóa' }
      deregistered.add(pin)
      const no = next()
      return { result: 'completed', reference: no, outputs: { residenceRecordNo: no, deregisteredAt: new Date().toISOString() } }
    }))
  })
}
