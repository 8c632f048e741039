import { ApiError, fieldMessage } from './api.js'

/**
 * The problem's field errors by JSON pointer within the request part `prefix` (the API names each field by a
 * pointer into the request: `/body/baseUrl`, `/body/config/auth/value` → `/baseUrl`, `/config/auth/value`),
 * translated.
 */
export function fieldErrors (err: unknown, prefix = '/body'): Record<string, string> {
  const out: Record<string, string> = {}
  if (!(err instanceof ApiError)) return out
  for (const e of err.errors) {
    if (e.path !== prefix && !e.path.startsWith(`${prefix}/`)) continue
    const path = e.path.slice(prefix.length) || '/'
    out[path] ??= fieldMessage(e.message)
  }
  return out
}
