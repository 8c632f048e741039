/** What came back, as the inject and raw-socket clients both see it. */
export interface Answer {
  status: number
  headers: Record<string, string | string[] | number | undefined>
  body: string
}

const CODE = /^[A-Z][A-Z_]+$/

/**
 * The only 5xx answers a hostile request may get, with their reason; everything else at 500 and above is a bug.
 * - on a land lookup, 503 UPSTREAM_UNAVAILABLE "No enabled connector serves … for province NN": a valid request for
 *   a province whose land registry has no connector (the fuzz connects Hà Nội and TP HCM only);
 * - GET /health/ready 503 `{ status: 'not-ready' }`: its probe of PostgreSQL waits behind the fuzz for a pool
 *   connection and gives up after 2 s (a readiness answer, not an error: its body is the probe's, not a problem).
 * The simulators are healthy and the overload shedding is off (gateway.ts): no upstream or overload 5xx is legitimate.
 */
export function legitimate5xx (method: string, url: string, a: Answer, problem: { code?: unknown, detail?: unknown }): boolean {
  const detail = typeof problem.detail === 'string' ? problem.detail : ''
  if (readiness(url, a)) return true
  if (url.startsWith('/v1/lookups/land.parcel.lookup') && a.status === 503 && problem.code === 'UPSTREAM_UNAVAILABLE' &&
    /^No enabled connector serves "land\.parcel\.lookup" for province \d{2}$/.test(detail)) return true
  return false
}

const readiness = (url: string, a: Answer): boolean =>
  a.status === 503 && /^\/health\/ready(\?|$)/.test(url) && (a.body === '' || /^\{"status":"not-ready"/.test(a.body))

/** Text that must never appear in an answer: keys, secrets, files from disk, stack traces. */
export interface Secrets { texts: string[] }

const LEAKS: Array<[RegExp, string]> = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'a private key'],
  [/root:x?:0:0:/, '/etc/passwd'],
  [/"name":\s*"lienthong-gateway"/, 'package.json'],
  [/\n\s+at [^\n]+:\d+:\d+\)?/, 'a stack trace'],
  [/\/work\/|\/src\/[a-z-]+\/[a-z-]+\.ts/, 'a source path']
]

/** The reasons an answer is wrong (empty when it is fine). */
export function judge (method: string, url: string, a: Answer, secrets: Secrets): string[] {
  const wrong: string[] = []
  let problem: { code?: unknown, status?: unknown, detail?: unknown } = {}
  const type = String(a.headers['content-type'] ?? '')
  if (a.status >= 400 && method !== 'HEAD' && !readiness(url, a)) {
    try {
      problem = JSON.parse(a.body)
    } catch {
      wrong.push('error body is not JSON')
    }
    // the token endpoint (whatever bent path reached it) answers OAuth 2.0 errors (RFC 6749 §5.2): application/json,
    // the problem fields beside `error`
    const oauth = method === 'POST' && type.startsWith('application/json') && (problem as { instance?: unknown }).instance === '/v1/auth/token' &&
      /^[a-z_]+$/.test(String((problem as { error?: unknown }).error))
    if (!type.startsWith('application/problem+json') && !oauth) wrong.push(`error answer is ${type === '' ? 'without content-type' : type}, not problem+json`)
    if (typeof problem.code !== 'string' || !CODE.test(problem.code)) wrong.push(`problem without a stable code (${JSON.stringify(problem.code)})`)
    if (problem.status !== a.status) wrong.push(`problem status ${String(problem.status)} differs from HTTP ${a.status}`)
  }
  if (a.status >= 500 && !legitimate5xx(method, url, a, problem)) wrong.push(`unexpected ${a.status} ${String(problem.code)}: ${String(problem.detail)}`)
  if (a.headers['x-fuzz-injected'] !== undefined) wrong.push('a request header came back as a response header')
  if (JSON.stringify(a.headers['set-cookie'] ?? '').includes('fuzz')) wrong.push('an injected Set-Cookie came back')
  if (a.status >= 400 || !url.startsWith('/docs')) {
    for (const [re, what] of LEAKS) if (re.test(a.body)) wrong.push(`the answer contains ${what}`)
  }
  for (const s of secrets.texts) if (a.body.includes(s)) wrong.push('the answer contains a client secret')
  return wrong
}

/** Routes anyone may call (the console's pages and sign-in: the API behind them needs a session). */
const PUBLIC = /^\/(health\/|metrics$|docs|openapi\.json$|\.well-known\/(jwks\.json|oauth-authorization-server)$|v1\/auth\/token$|console(\/|$))/

/** The roles a route area needs (architecture.md §3); empty: any authenticated client. */
function needs (routeUrl: string): string[] {
  if (routeUrl.startsWith('/v1/admin-units')) return ['system', 'admin']
  if (routeUrl.startsWith('/v1/admin/')) return ['admin']
  if (routeUrl.startsWith('/v1/audit/')) return ['auditor']
  if (/^\/v1\/(lookups|dossiers|deliveries)\//.test(routeUrl) || routeUrl === '/v1/dossiers') return ['system']
  return []
}

/** A success without a valid token on a protected route, or with a token lacking the route's role: a bypass. */
export function accessWrong (routeUrl: string, roles: string[] | 'odd' | undefined, status: number): string[] {
  if (status >= 300 || PUBLIC.test(routeUrl) || roles === 'odd') return []
  if (roles === undefined) return [`${status} without a valid token on a protected route`]
  const need = needs(routeUrl)
  if (need.length > 0 && !need.some((r) => roles.includes(r))) return [`${status} for roles ${roles.join(',')} on a route for ${need.join(' or ')}`]
  return []
}
