import { request } from 'undici'
import { sampleIds } from '../../src/simulators/index.js'
import type { Gateway } from './gateways.js'
import type { Target } from './load.js'

/** The lookup paths of the simulator and of the gateway. */
export const PATH = { sim: '/api/citizens/lookup', gateway: '/v1/lookups/citizen.lookup' }

/** The five citizen samples of config/simulators/samples.json, sent in turn. */
export const bodies = sampleIds()['citizen.lookup'].map((b) => JSON.stringify(b))

/** citizen.lookup through a bench gateway, as its system client. */
export const gatewayTarget = (g: Gateway): Target => ({
  url: g.child.info.url,
  path: PATH.gateway,
  headers: { authorization: `Bearer ${g.child.info.token}`, 'x-purpose': '1.000894' },
  bodies
})

/** One request that must answer 200 before a target is loaded (a broken setup fails fast and says why). */
export async function check (t: Target): Promise<void> {
  for (let i = 0; ; i++) {
    const res = await request(`${t.url}${t.path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...t.headers }, body: t.bodies[0] })
    const text = await res.body.text()
    if (res.statusCode === 200) return
    // a 503 of the overload protection right after start is waited out (10 s at most)
    if (res.statusCode !== 503 || i >= 40) throw new Error(`${t.url}${t.path} answered ${res.statusCode}: ${text.slice(0, 300)}`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}
