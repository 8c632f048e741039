import type { FastifyError } from 'fastify'
import * as errors from '../errors.js'

export interface ProblemCode { code: string, status: number }

const isErrorClass = (v: unknown): v is new () => FastifyError =>
  typeof v === 'function' && (v as { prototype?: unknown }).prototype instanceof Error

/**
 * Every stable code of src/errors.ts with its HTTP status, read from the error classes themselves: a code added
 * there is in the OpenAPI document's problem schema and response descriptions without another list to keep.
 */
export const PROBLEM_CODES: readonly ProblemCode[] = (() => {
  const byCode = new Map<string, ProblemCode>()
  for (const ErrorClass of Object.values(errors)) {
    if (!isErrorClass(ErrorClass)) continue
    const e = new ErrorClass()
    byCode.set(e.code, { code: e.code, status: e.statusCode ?? 500 })
  }
  return [...byCode.values()]
})()

/** The codes a status may carry. */
export const codesOf = (status: number): string[] => PROBLEM_CODES.filter((c) => c.status === status).map((c) => c.code)
