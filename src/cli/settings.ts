import type { Values } from './types.js'
import { UsageError } from './errors.js'

export const DEFAULT_URL = 'http://127.0.0.1:8080'

export interface Settings {
  url: URL
  clientId: string | undefined
  clientSecret: string | undefined
}

/** The process environment: besides src/config.ts, the only place that reads it. */
export function processEnv (): Record<string, string | undefined> {
  return process.env
}

const nonEmpty = (...xs: Array<string | boolean | undefined>): string | undefined =>
  xs.find((x): x is string => typeof x === 'string' && x !== '')

/** Connection settings: flags first, then LIENTHONG_* variables, then defaults. */
export function resolveSettings (values: Values, env: Record<string, string | undefined>): Settings {
  const raw = nonEmpty(values.url, env.LIENTHONG_URL) ?? DEFAULT_URL
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new UsageError(`--url is not a valid URL: ${raw}`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--url must be http:// or https://, not ${url.protocol}`)
  if (url.username !== '' || url.password !== '') throw new UsageError('--url must not hold credentials: use --client-id and --client-secret')
  url.search = ''
  url.hash = ''
  return {
    url,
    clientId: nonEmpty(values['client-id'], env.LIENTHONG_CLIENT_ID, env.LIENTHONG_ADMIN_ID),
    clientSecret: nonEmpty(values['client-secret'], env.LIENTHONG_CLIENT_SECRET, env.LIENTHONG_ADMIN_SECRET)
  }
}
