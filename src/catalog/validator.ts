import { Ajv, type ValidateFunction } from 'ajv'
import { addIdentifierFormats } from './formats.js'
import { explainErrors, type FieldError, type RequestPart } from './explain-errors.js'
import { loadSchemas } from './schemas.js'

export type ValidationResult = { ok: true } | { ok: false, errors: FieldError[] }

export interface Validator {
  /**
   * Checks `data` against the schema with this `$id`; throws if there is no such schema. Error paths point into
   * `data`, or into the request when `part` says which part of it `data` is (docs/api-conventions.md).
   */
  validate (schemaId: string, data: unknown, part?: RequestPart): ValidationResult
}

const OK: ValidationResult = Object.freeze({ ok: true })

/**
 * A validator for every schema of `schemas/`, all compiled once here. Strict and literal: no type coercion,
 * no defaults, unknown properties are errors (never silently removed), and every error is reported.
 */
export function createValidator (): Validator {
  const ajv = addIdentifierFormats(new Ajv({
    allErrors: true,
    strict: true,
    coerceTypes: false,
    removeAdditional: false,
    useDefaults: false,
    verbose: true // errors carry the data and schema, for explanations that say which shape was meant
  }))
  const schemas = loadSchemas()
  ajv.addSchema(schemas)
  const compiled = new Map<string, ValidateFunction>()
  for (const { $id } of schemas) {
    const validate = ajv.getSchema(String($id))
    if (validate === undefined) throw new Error(`schema "${String($id)}" did not compile`)
    compiled.set(String($id), validate)
  }
  return {
    validate (schemaId, data, part) {
      const validate = compiled.get(schemaId)
      if (validate === undefined) throw new Error(`No schema with $id "${schemaId}"`)
      return validate(data) ? OK : { ok: false, errors: explainErrors(validate.errors ?? [], part) }
    }
  }
}
