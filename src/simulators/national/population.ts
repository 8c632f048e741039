import { createHash } from 'node:crypto'
import { centuryGenderDigit } from '../seed/people.js'
import { createNationalSimulator, str, type NationalSimulator, type NationalSimulatorOptions } from './base.js'

/**
 * The National Population Database's PIN issuance (CSDLQG về dân cư): `POST /api/dancu/cap-so-dinh-danh` with a
 * step key → a new 12-digit PIN (0 + province of registration + century/gender digit + year + 6 digits, domain.md
 * §2.1), unique. Refused when the mother is the child (a PIN given twice) or the date of birth is unreadable.
 */
export function createPopulationSimulator (opts: NationalSimulatorOptions = {}): NationalSimulator {
  const issued = new Set<string>()
  return createNationalSimulator('population-pin', opts, (app, ledger) => {
    app.post('/api/dancu/cap-so-dinh-danh', ledger.handler((body) => {
      const year = Number(str(body.dateOfBirth).slice(0, 4))
      if (!Number.isInteger(year) || year < 1900) return { result: 'refused', reason: 'Ngày sinh không hợp lệ' }
      const prefix = `0${str(body.registrationProvinceCode)}${centuryGenderDigit(year, body.gender === 'female' ? 'female' : 'male')}${String(year % 100).padStart(2, '0')}`
      let salt = 0
      let pin: string
      do {
        const h = createHash('sha256').update(`${str(body.birthRegistrationNo)}|${str(body.fullName)}|${salt++}`).digest()
        pin = prefix + String(h.readUInt32BE(0) % 1_000_000).padStart(6, '0')
      } while (issued.has(pin))
      issued.add(pin)
      return { result: 'completed', reference: pin.slice(0, 3) + '******' + pin.slice(-3), outputs: { personalId: pin, issuedAt: new Date().toISOString() } }
    }))
  })
}
