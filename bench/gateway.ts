/**
 * Bench child, scenario (c): the gateway as `src/server.ts` runs it (loadConfig → buildApp → listen), configured
 * by the environment the parent gives (its Redis, a fresh PostgreSQL database, the connectors file pointing at the
 * simulator, LOG_LEVEL, OTEL_*). Tracing is on when the parent adds `--import dist/src/tracing.js`, as `npm start`
 * does. `--audit=off` replaces the PostgreSQL audit trail with the no-op sink (the "off" comparison only).
 * Registers one system client and reports `{ url, token }` to the parent over IPC.
 */
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { DISABLED_AUDIT } from '../src/audit/writer.js'
import { serve } from './lib/child.js'

const BENCH_CLIENT = 'bench-system'

serve(async () => {
  const auditOff = process.argv.includes('--audit=off')
  const config = loadConfig()
  const app = await buildApp(config, auditOff ? { auditSink: DISABLED_AUDIT } : {})
  const token = async (secret: string): Promise<Awaited<ReturnType<typeof app.inject>>> => await app.inject({
    method: 'POST',
    url: '/v1/auth/token',
    payload: { grant_type: 'client_credentials', client_id: BENCH_CLIENT, client_secret: secret }
  })
  try {
    const url = await app.listen({ port: 0, host: '127.0.0.1' })
    const { secret } = await app.clients.create({ id: BENCH_CLIENT, name: 'benchmark', roles: ['system'], grants: ['citizen.lookup'] })
    // Right after start @fastify/under-pressure may still report the startup's blocked event loop (503): wait it out.
    let res = await token(secret)
    let refusedAtStart = 0
    for (; refusedAtStart < 40 && res.statusCode === 503; refusedAtStart++) {
      await new Promise((resolve) => setTimeout(resolve, 250))
      res = await token(secret)
    }
    if (res.statusCode !== 200) throw new Error(`token request failed: ${res.statusCode} ${res.body}`)
    const accessToken = (res.json() as { access_token: string }).access_token
    return { info: { url, token: accessToken, refusedAtStart }, close: async () => { await app.close() } }
  } catch (err) {
    await app.close()
    throw err
  }
})
