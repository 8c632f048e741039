import { COMMUNE_CODE, LEGACY_DISTRICT_CODE, MAX_RESOLVE_ITEMS, PROVINCE_CODE } from '../../admin-units/index.js'
import { MAX_NAME_LENGTH } from '../../admin-units/resolve-input.js'

/** JSON Schemas of the administrative-unit API. The app's ajv does not coerce: query values are strings. */

export const TAGS = ['admin-units']

export const DATE = { type: 'string', format: 'date', pattern: '^\\d{4}-\\d{2}-\\d{2}$' }
export const PROVINCE = { type: 'string', pattern: PROVINCE_CODE.source }
const COMMUNE = { type: 'string', pattern: COMMUNE_CODE.source }
const DISTRICT = { type: 'string', pattern: LEGACY_DISTRICT_CODE.source }
const NAME = { type: 'string', minLength: 1, maxLength: MAX_NAME_LENGTH }
export const LEVEL = { type: 'string', enum: ['province', 'commune'] }

const text = { type: 'string' }
const nullableText = { type: 'string', nullable: true }

export const province = {
  type: 'object',
  properties: { code: text, name: text, fullName: text, type: text, validFrom: nullableText, validTo: nullableText }
}

export const unit = {
  type: 'object',
  properties: {
    code: text,
    level: text,
    name: text,
    fullName: text,
    type: text,
    parentCode: nullableText,
    districtCode: nullableText,
    validFrom: nullableText,
    validTo: nullableText
  }
}

const linked = { type: 'object', properties: { unit, kind: { type: 'string', enum: ['full', 'partial'] } } }
const alias = { type: 'object', properties: { code: text, canonical: text, note: text } }
const district = {
  type: 'object',
  properties: { code: text, name: text, fullName: text, type: text, provinceCode: text, validTo: text }
}

export const getResult = {
  type: 'object',
  properties: {
    code: text,
    level: text,
    asOf: text,
    unit: { ...unit, nullable: true },
    alias,
    successors: { type: 'array', items: linked },
    history: { type: 'array', items: unit },
    predecessors: { type: 'array', items: linked },
    districtPredecessors: { type: 'array', items: district }
  }
}

export const resolveItem = {
  type: 'object',
  additionalProperties: false,
  properties: {
    provinceCode: PROVINCE,
    districtCode: DISTRICT,
    communeCode: COMMUNE,
    provinceName: NAME,
    districtName: NAME,
    communeName: NAME,
    asOf: { ...DATE, description: 'The date of the record the codes and names come from (default today); before 2025-07-01 they are read as pre-reform.' }
  }
}

export const resolveBody = {
  type: 'object',
  additionalProperties: false,
  required: ['items'],
  properties: { items: { type: 'array', minItems: 1, maxItems: MAX_RESOLVE_ITEMS, items: resolveItem } }
}

const ref = { type: 'object', properties: { code: text, name: text, fullName: text } }
const candidate = {
  type: 'object',
  properties: {
    code: text,
    name: text,
    fullName: text,
    level: text,
    provinceCode: nullableText,
    kind: text,
    validFrom: nullableText,
    validTo: nullableText
  }
}

/** One result; the input is left out (results come in the order of the items). */
export const resolveResult = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['resolved', 'partial', 'ambiguous', 'not_found', 'invalid'] },
    province: ref,
    commune: ref,
    kind: { type: 'string', enum: ['full', 'partial'] },
    candidates: { type: 'array', items: candidate },
    candidatesTotal: { type: 'integer', description: 'How many candidates there were, when more than the 10 answered' },
    reason: text,
    translated: { type: 'boolean' },
    readAs: { type: 'object', properties: { asOf: text, province: ref, district: ref, commune: ref } },
    alias
  },
  required: ['status']
}
