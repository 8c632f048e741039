import { request } from 'undici'

type Jar = Map<string, string>

function keep (jar: Jar, setCookie: string | string[] | undefined): void {
  for (const line of Array.isArray(setCookie) ? setCookie : setCookie !== undefined ? [setCookie] : []) {
    const [pair] = line.split(';')
    const i = pair.indexOf('=')
    const name = pair.slice(0, i).trim()
    const value = pair.slice(i + 1).trim()
    if (value === '' || /max-age=0/i.test(line)) jar.delete(name)
    else jar.set(name, value)
  }
}
const header = (jar: Jar): string => [...jar].map(([k, v]) => `${k}=${v}`).join('; ')

/**
 * Signs a person in to the console over plain HTTP, as a browser would (redirects followed by hand, one cookie
 * jar per origin): the console's session cookie and CSRF token, or the status where it stopped.
 */
export async function signIn (consoleUrl: string, username: string, password: string): Promise<{ cookie: string, csrf: string, roles: string[], sessionCookie: string }> {
  const jars = new Map<string, Jar>()
  let sessionCookie = ''
  const jarOf = (url: string): Jar => {
    const origin = new URL(url).origin
    if (!jars.has(origin)) jars.set(origin, new Map())
    return jars.get(origin) as Jar
  }
  let next: { url: string, method: 'GET' | 'POST', body?: string } | undefined = { url: `${consoleUrl}/console/auth/login?returnTo=/console/`, method: 'GET' }
  for (let hops = 0; next !== undefined && hops < 20; hops++) {
    const jar = jarOf(next.url)
    const res: Awaited<ReturnType<typeof request>> = await request(next.url, {
      method: next.method,
      headers: { cookie: header(jar), ...(next.body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      body: next.body
    })
    keep(jar, res.headers['set-cookie'])
    if (next.url.startsWith(`${consoleUrl}/console/auth/callback`)) sessionCookie = String(res.headers['set-cookie'] ?? '')
    const text = await res.body.text()
    const location: unknown = res.headers.location
    if (res.statusCode >= 300 && res.statusCode < 400 && typeof location === 'string') {
      next = { url: new URL(location, next.url).href, method: 'GET' }
      if (next.url === `${consoleUrl}/console/`) break
      continue
    }
    const form = /action="(\/interaction\/[^"]+\/login)"/.exec(text)
    if (res.statusCode === 200 && form !== null) {
      next = { url: new URL(form[1], next.url).href, method: 'POST', body: new URLSearchParams({ username, password }).toString() }
      continue
    }
    throw Object.assign(new Error(`sign-in stopped at ${next.url} with ${res.statusCode}`), { statusCode: res.statusCode, body: text })
  }
  const cookie = header(jarOf(consoleUrl))
  const session = await request(`${consoleUrl}/console/auth/session`, { headers: { cookie } })
  const body = await session.body.json() as { signedIn: boolean, csrf: string, person: { roles: string[] } }
  if (!body.signedIn) throw new Error('not signed in after the provider\'s answer')
  return { cookie, csrf: body.csrf, roles: body.person.roles, sessionCookie }
}
