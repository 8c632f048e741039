import { ValidationFailed } from '../../errors.js'

interface FieldError { path: string, message: string }

/**
 * A 400 VALIDATION_FAILED whose field errors name paths in a document of the request (a filing, a group
 * definition), made JSON Pointers into the request (docs/api-conventions.md): `/dossierCode` → `/body/dossierCode`.
 * `where` maps one path; other errors pass through unchanged.
 */
export function inRequest (err: unknown, where: (path: string) => string = (path) => `/body${path}`): unknown {
  const errors = (err as { errors?: FieldError[] }).errors
  if (!(err instanceof ValidationFailed) || !Array.isArray(errors)) return err
  return Object.assign(err, { errors: errors.map((e) => ({ ...e, path: where(e.path) })) })
}

/**
 * Where an error of the filing merged with a supplement is in the supplement's request: its documents are added
 * to the filing's (`/body/documents`), every other field comes from its `data` (`/body/data/…`).
 */
export const inSupplement = (path: string): string =>
  path === '/documents' || path.startsWith('/documents/') ? '/body/documents' : `/body/data${path}`
