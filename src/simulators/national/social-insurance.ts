import { createHash } from 'node:crypto'
import { counter, createNationalSimulator, docCodes, str, type NationalSimulator, type NationalSimulatorOptions } from './base.js'

type Json = Record<string, unknown>

/** The base salary from 1/7/2024 (VND); the funeral allowance is ten times it. */
const BASE_SALARY = 2_340_000

/**
 * Vietnam Social Security (BHXH): `POST /api/bhxh/the-bhyt-tre-em` (a child's BHYT card: refused from age 6),
 * `POST /api/bhxh/tro-cap-mai-tang` and `POST /api/bhxh/tu-tuat` (funeral allowance, survivor benefit: the
 * representative needs the relatives' confirmation through VNeID or form 09-HSB, else a supplement).
 */
export function createSocialInsuranceSimulator (opts: NationalSimulatorOptions = {}): NationalSimulator {
  const next = counter('QD-')
  const needsConfirmation = (body: Json): boolean =>
    ((body.beneficiary ?? {}) as Json).relativesConfirmed !== true && !docCodes(body).has('09-HSB')
  const missing = [{ code: '09-HSB', name: 'Tờ khai của thân nhân (mẫu 09-HSB) hoặc xác nhận của thân nhân qua VNeID' }]
  return createNationalSimulator('social-insurance', opts, (app, ledger) => {
    app.post('/api/bhxh/the-bhyt-tre-em', ledger.handler((body) => {
      const dob = str(body.dateOfBirth)
      const sixth = `${Number(dob.slice(0, 4)) + 6}${dob.slice(4)}`
      if (sixth <= new Date().toISOString().slice(0, 10)) return { result: 'refused', reason: 'Trẻ đã đủ 6 tuổi' }
      const h = createHash('sha256').update(str(body.personalId)).digest()
      const code = `${str(body.provinceCode)}${String(h.readUInt32BE(0) % 100_000_000).padStart(8, '0')}`
      const validTo = new Date(Date.parse(`${sixth}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10)
      return {
        result: 'completed',
        reference: `TE1${str(body.provinceCode)}${code.slice(0, 3)}*****${code.slice(-2)}`,
        outputs: { socialInsuranceCode: code, cardNo: `TE1${str(body.provinceCode)}${code}`, validFrom: dob, validTo, initialCareFacility: str(body.initialCareFacility) }
      }
    }))
    app.post('/api/bhxh/tro-cap-mai-tang', ledger.handler((body) => {
      if (needsConfirmation(body)) return { result: 'supplement-required', missing }
      const no = next()
      return { result: 'completed', reference: no, outputs: { decisionNo: no, amount: 10 * BASE_SALARY, paymentMethod: ((body.beneficiary ?? {}) as Json).bankAccount !== undefined ? 'bank' : 'post' } }
    }))
    app.post('/api/bhxh/tu-tuat', ledger.handler((body) => {
      if (needsConfirmation(body)) return { result: 'supplement-required', missing }
      const no = next()
      return { result: 'completed', reference: no, outputs: { decisionNo: no, kind: 'one-time', amount: 15 * BASE_SALARY } }
    }))
  })
}
