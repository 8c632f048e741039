import { BlockList, isIP } from 'node:net'

/**
 * Outbound allowlist of connector URLs: host names (exact, or `*.suffix`) and IP ranges in CIDR form,
 * from OUTBOUND_ALLOWLIST. Anything else is refused when an admin saves a connector, so a mistake cannot
 * turn the gateway into a path into internal networks.
 */
export class OutboundAllowlist {
  readonly #ranges = new BlockList()
  readonly #hosts = new Set<string>()
  readonly #suffixes: string[] = []
  readonly spec: string

  constructor (spec: string) {
    this.spec = spec
    for (const raw of spec.split(',').map((s) => s.trim().toLowerCase()).filter((s) => s !== '')) {
      const [addr, bits] = raw.split('/')
      const family = isIP(addr)
      if (family !== 0) {
        const prefix = bits !== undefined ? Number(bits) : (family === 4 ? 32 : 128)
        this.#ranges.addSubnet(addr, prefix, family === 4 ? 'ipv4' : 'ipv6')
      } else if (raw.startsWith('*.')) {
        this.#suffixes.push(raw.slice(1))
      } else {
        this.#hosts.add(raw)
      }
    }
  }

  /** Undefined when allowed; otherwise the reason. */
  check (url: string): string | undefined {
    let u: URL
    try { u = new URL(url) } catch { return 'is not a valid URL' }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'must be http or https'
    if (u.username !== '' || u.password !== '') return 'must not carry credentials in the URL'
    const host = u.hostname.replace(/^\[|\]$/g, '').toLowerCase()
    const family = isIP(host)
    if (family !== 0) {
      return this.#ranges.check(host, family === 4 ? 'ipv4' : 'ipv6') ? undefined : `host ${host} is outside the outbound allowlist`
    }
    if (this.#hosts.has(host) || this.#suffixes.some((s) => host.endsWith(s))) return undefined
    return `host ${host} is outside the outbound allowlist`
  }
}

/** Every string property named like a URL in a config, with its JSON path. */
export function urlsIn (config: unknown, path = '/config'): Array<{ path: string, url: string }> {
  if (config === null || typeof config !== 'object') return []
  const out: Array<{ path: string, url: string }> = []
  for (const [k, v] of Object.entries(config)) {
    if (typeof v === 'string' && /url$/i.test(k)) out.push({ path: `${path}/${k}`, url: v })
    else if (typeof v === 'object') out.push(...urlsIn(v, `${path}/${k}`))
  }
  return out
}
