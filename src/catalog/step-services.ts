import type { ServiceDefinition } from './services.js'

const step = (id: string, title: string, description: string, subjectFields: string[]): ServiceDefinition => ({
  id,
  version: '1.0.0',
  kind: 'step',
  title,
  description,
  requestSchemaId: `${id}.request`,
  responseSchemaId: `${id}.response`,
  subjectFields,
  routing: 'global'
})

/**
 * The calls of the interlinked procedure groups (domain.md §4), each a service routed to a connector instance like
 * a lookup, but called only by the procedure engine, with a step key that makes it idempotent at the national system.
 */
export const PROCEDURE_STEP_SERVICES: readonly ServiceDefinition[] = [
  step('civil-status.birth.register', 'Birth registration', 'Registers a birth in the Ministry of Justice\'s shared ' +
    'civil-status software (hộ tịch); answers the registration and certificate numbers.', ['mother.personalId', 'father.personalId', 'declarant.personalId']),
  step('population.pin.issue', 'Personal identification number issuance', 'Issues the personal identification ' +
    'number of a newborn in the National Population Database.', ['motherPersonalId', 'fatherPersonalId']),
  step('residence.permanent.register', 'Permanent residence registration', 'Registers a permanent residence in the ' +
    'residence information system (Ministry of Public Security).', ['personalId', 'householdHeadPersonalId']),
  step('insurance.card.issue', 'Health-insurance card for a child under 6', 'Issues the social insurance code and ' +
    'the BHYT card of a child under 6 (Vietnam Social Security).', ['personalId']),
  step('civil-status.death.register', 'Death registration', 'Registers a death in the civil-status software.',
    ['deceased.personalId', 'declarant.personalId']),
  step('residence.permanent.deregister', 'Deregistration of permanent residence', 'Deletes the permanent residence ' +
    'of a deceased person in the residence information system.', ['personalId']),
  step('insurance.funeral.allowance', 'Funeral allowance', 'Settles the funeral allowance (Vietnam Social Security).',
    ['personalId', 'socialInsuranceCode', 'beneficiary.personalId']),
  step('insurance.survivor.benefit', 'Survivor benefit', 'Settles the survivor (tử tuất) benefit (Vietnam Social Security).',
    ['personalId', 'socialInsuranceCode', 'beneficiary.personalId'])
]
