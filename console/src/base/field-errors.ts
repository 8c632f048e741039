import { ApiError, fieldMessage } from './api.js'

/** The problem's field errors by JSON pointer (`/baseUrl`, `/config/auth/value`), translated. */
export function fieldErrors (err: unknown, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {}
  if (!(err instanceof ApiError)) return out
  for (const e of err.errors) {
    if (!e.path.startsWith(prefix)) continue
    const path = e.path.slice(prefix.length) || '/'
    out[path] ??= fieldMessage(e.message)
  }
  return out
}
