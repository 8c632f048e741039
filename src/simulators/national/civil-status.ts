import { citizensOf } from '../citizen/data.js'
import { DEFAULT_SEED } from '../seed/prng.js'
import { counter, createNationalSimulator, docCodes, str, type NationalSimulator, type NationalSimulatorOptions } from './base.js'

type Json = Record<string, unknown>

/**
 * The Ministry of Justice's shared civil-status software (hộ tịch): `POST /api/hotich/khai-sinh` (birth) and
 * `POST /api/hotich/khai-tu` (death), each with a step key. A birth needs the birth certificate (GCS) or a
 * witness statement (VBXN), a death the death notice (GBT or its number): otherwise a supplement is asked for. A
 * birth registered twice (same mother, name and date) or a death of someone already dead is refused.
 */
export function createCivilStatusSimulator (opts: NationalSimulatorOptions = {}): NationalSimulator {
  const dead = new Set(citizensOf(opts.seed ?? DEFAULT_SEED).filter((c) => c.status === 'deceased').map((c) => c.personalId))
  const births = new Map<string, string>()
  const nextBirth = counter()
  const nextDeath = counter()
  return createNationalSimulator('civil-status', opts, (app, ledger) => {
    app.post('/api/hotich/khai-sinh', ledger.handler((body) => {
      const docs = docCodes(body)
      if (!docs.has('GCS') && !docs.has('VBXN')) return { result: 'supplement-required', missing: [{ code: 'GCS', name: 'Giấy chứng sinh (hoặc văn bản của người làm chứng)' }] }
      const child = (body.child ?? {}) as Json
      const mother = (body.mother ?? {}) as Json
      const who = `${str(mother.personalId)}|${str(child.fullName)}|${str(child.dateOfBirth)}`
      const earlier = births.get(who)
      if (earlier !== undefined) return { result: 'refused', reason: `Trẻ đã được đăng ký khai sinh (số ${earlier})` }
      const no = nextBirth()
      births.set(who, no)
      const year = no.split('/')[1]
      return { result: 'completed', reference: no, outputs: { registrationNo: no, registrationBook: `${year}-KS`, certificateNo: `TLKS-${no}`, registeredAt: new Date().toISOString() } }
    }))
    app.post('/api/hotich/khai-tu', ledger.handler((body) => {
      const death = (body.death ?? {}) as Json
      if (!docCodes(body).has('GBT') && str(death.noticeNo) === '') return { result: 'supplement-required', missing: [{ code: 'GBT', name: 'Giấy báo tử' }] }
      const pin = str(((body.deceased ?? {}) as Json).personalId)
      if (dead.has(pin)) return { result: 'refused', reason: 'Người này đã được đăng ký khai tử' }
      dead.add(pin)
      const no = nextDeath()
      return { result: 'completed', reference: no, outputs: { registrationNo: no, extractNo: `TLKT-${no}`, registeredAt: new Date().toISOString() } }
    }))
  })
}
