import t from 'tap'
import { stream } from '../../src/simulators/seed/prng.js'
import { sampleIds } from '../../src/simulators/index.js'
import { fuzzGateway } from './gateway.js'
import { prototypeShape } from './memory.js'
import { describe, firstOfEachKind, Tally } from './report.js'
import { makeRequest } from './requests.js'
import { accessWrong, judge, type Answer } from './verdict.js'
import { exchange } from './wire.js'
import { replay, wireCase, type WireCase } from './wire-cases.js'

/**
 * Fuzz over real sockets, for what inject cannot express: CR/LF/NUL in header names and values, request lines and
 * versions no client sends, oversized and malformed header sections, body framing of the smuggling family,
 * pipelining, bytes that are not HTTP, and requests of the inject generator through the real HTTP parser.
 * FUZZ_WIRE (default 1,000) cases, seeded by FUZZ_SEED. Each connection must end with answers that are never
 * 5xx (beyond verdict.ts's short list), never more answers than requests, no reflected header; the gateway stays up.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20250701)
const COUNT = Number(process.env.FUZZ_WIRE ?? 1000)
const ONLY = process.env.FUZZ_ONLY !== undefined ? Number(process.env.FUZZ_ONLY) : undefined
const IN_FLIGHT = 8

/** Answers written by node's HTTP parser or fastify's client-error handler, before any route or hook ran. */
const beforeRouting = (a: Answer): boolean => a.headers['x-request-id'] === undefined

t.test('raw sockets: header injection, smuggling, odd request lines and bytes → 4xx or a closed connection, never 5xx', async (t) => {
  const { app, routes, tokens, secrets } = await fuzzGateway(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as { port: number }).port
  const shape = prototypeShape()

  const byStatus = new Tally()
  const byCase = new Tally()
  const parserAnswers = new Tally()
  const failures: Array<Record<string, unknown>> = []
  let waited = 0

  async function one (i: number): Promise<void> {
    const rng = stream(SEED, `wire:${i}`)
    // a third of the cases are requests of the inject generator, sent as they are through the real parser
    const route = routes[i % routes.length]
    const c: WireCase = rng.chance(0.33)
      ? replay(makeRequest(rng, route, tokens, app.config.bodyLimitBytes), route.url)
      : wireCase(rng, tokens.byRole.all)
    const x = await exchange(port, c.bytes, { halfClose: c.halfClose, waitMs: 3000 })
    if (!x.closed) waited++
    byCase.add(c.name.replace(/ \d+$/, '').replace(/^(replayed|request line) .*$/, '$1'))
    const wrong: string[] = []
    if (x.answers.length > c.requests) wrong.push(`${x.answers.length} answers to ${c.requests} requests: a smuggled request was served`)
    for (const a of x.answers) {
      byStatus.add(String(a.status))
      if (beforeRouting(a) && a.body !== '') parserAnswers.add(`${a.status} ${String(a.headers['content-type'] ?? 'none')}`)
      // answers of the HTTP parser are checked for status and reflection only; the problem+json check is the last assertion
      const problems = judge(c.method, c.url, a, { texts: secrets })
        .filter((w) => !beforeRouting(a) || !/problem|not JSON|stable code/.test(w))
      if (/x-fuzz-injected|set-cookie: fuzz/i.test(a.head)) problems.push('an injected header came back')
      if (c.access !== undefined) problems.push(...accessWrong(c.access.route, c.access.roles, a.status))
      wrong.push(...problems)
    }
    if (ONLY !== undefined) t.comment(JSON.stringify({ case: c.name, sent: c.bytes.toString('latin1').slice(0, 3000), answers: x.answers, rest: x.rest, wrong }, null, 2))
    if (wrong.length > 0) {
      failures.push({ case: c.name, ...describe(i, SEED, { method: c.method, url: c.url, headers: {}, notes: [c.name], payload: c.bytes.subarray(0, 600) }, x.answers[0], wrong) })
    }
  }

  if (ONLY !== undefined) {
    await one(ONLY)
    return
  }
  let next = 0
  await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
    while (next < COUNT) await one(next++)
  }))

  t.comment(`seed ${SEED}: ${COUNT} connections, ${byStatus.total} answers, ${waited} left waiting for more bytes (3 s)`)
  t.comment(`cases ${JSON.stringify(byCase)}`)
  t.comment(`by status ${JSON.stringify(byStatus)}`)
  t.comment(`answered by the HTTP parser, before routing ${JSON.stringify(parserAnswers)}`)
  t.same(firstOfEachKind(failures), [], `${failures.length} wrong exchanges (the first of each kind shown)`)

  const ready = await exchange(port, Buffer.from('GET /health/ready HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\n\r\n'))
  t.equal(ready.answers[0]?.status, 200, 'the listening gateway is ready afterwards')
  const body = JSON.stringify(sampleIds()['citizen.lookup'][0])
  const lookup = await exchange(port, Buffer.from(`POST /v1/lookups/citizen.lookup HTTP/1.1\r\nHost: gateway\r\nAuthorization: ${tokens.byRole.system}\r\n` +
    `X-Purpose: 1.000894\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`))
  t.equal(lookup.answers[0]?.status, 200, 'a lookup over a socket still answers')
  t.equal(prototypeShape(), shape, 'built-in prototypes unchanged')

  // Every error body a client can see is problem+json (architecture.md §3), those written before routing included.
  const notProblem = Object.keys(parserAnswers.toJSON()).filter((k) => !k.includes('application/problem+json'))
  t.same(notProblem, [], 'answers written before routing are problem+json too')
})
