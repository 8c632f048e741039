import t from 'tap'
import type { Test } from 'tap'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import Fastify from 'fastify'
import { run } from '../../src/cli/main.js'
import { ADMIN, CLIENTS, CONFIG, CONNECTORS, NEW_SECRET, ROTATED_SECRET, SYSTEM, fakeGateway } from './fixtures/fake-gateway.js'

interface Result { code: number, out: string, err: string }

/** Runs the CLI in-process; every run is also checked never to print the caller's own secret. */
async function cli (t: Test, argv: string[], env: Record<string, string | undefined> = {}, stdin?: string): Promise<Result> {
  const out: string[] = []
  const err: string[] = []
  const code = await run(argv, { out: (s) => out.push(s), err: (s) => err.push(s), env, stdin: stdin !== undefined ? Readable.from([Buffer.from(stdin)]) : undefined })
  const result = { code, out: out.join('\n'), err: err.join('\n') }
  for (const secret of [ADMIN.secret, SYSTEM.secret]) {
    t.notOk(result.out.includes(secret) || result.err.includes(secret), `${argv.slice(0, 2).join(' ')}: no client secret printed`)
  }
  return result
}

async function gateway (t: Test): Promise<{ env: Record<string, string>, seen: Awaited<ReturnType<typeof fakeGateway>>['seen'] }> {
  const { url, seen } = await fakeGateway(t)
  return { env: { LIENTHONG_URL: url, LIENTHONG_ADMIN_ID: ADMIN.id, LIENTHONG_ADMIN_SECRET: ADMIN.secret }, seen }
}

t.test('the entry point is an executable script', async (t) => {
  const text = await readFile(new URL('../../src/cli/index.ts', import.meta.url), 'utf8')
  t.ok(text.startsWith('#!/usr/bin/env node\n'))
})

t.test('--help at every level', async (t) => {
  const top = await cli(t, ['--help'])
  t.equal(top.code, 0)
  for (const word of ['token', 'clients create', 'clients rotate-secret', 'connectors import', '--url', '--client-id', 'LIENTHONG_URL']) {
    t.match(top.out, word)
  }
  t.equal(top.err, '')
  t.same(await cli(t, ['help']), top, '`help` is --help')

  const group = await cli(t, ['clients', '--help'])
  t.equal(group.code, 0)
  t.match(group.out, 'Usage: lienthong clients <command>')
  t.match(group.out, 'rotate-secret')

  const create = await cli(t, ['clients', 'create', '-h'])
  t.equal(create.code, 0)
  t.match(create.out, 'Usage: lienthong clients create --id ID --name NAME --roles ROLES [--grants SERVICES]')
  t.match(create.out, /--roles ROLES\s+comma-separated: system, admin, auditor \(required\)/)
  t.same(await cli(t, ['help', 'clients', 'create']), create)

  for (const argv of [['token', '--help'], ['connectors', 'import', '--help'], ['connectors', 'export', '--help'], ['connectors', 'list', '--help'], ['clients', 'list', '--help'], ['clients', 'rotate-secret', '--help']]) {
    const res = await cli(t, argv)
    t.equal(res.code, 0, argv.join(' '))
    t.match(res.out, `Usage: lienthong ${argv.slice(0, -1).join(' ')}`)
  }
})

t.test('bad command lines exit 2 with a one-line reason and the usage', async (t) => {
  const cases: Array<[string[], string, string]> = [
    [[], 'lienthong: no command given', 'Usage: lienthong <command>'],
    [['frobnicate'], 'lienthong: unknown command: frobnicate', 'Usage: lienthong <command>'],
    [['clients'], 'lienthong: clients: which command?', 'Usage: lienthong clients <command>'],
    [['clients', 'frob'], 'lienthong: unknown command: clients frob', 'Usage: lienthong clients <command>'],
    [['clients', 'list', 'extra'], 'lienthong: unexpected argument: extra', 'Usage: lienthong clients list'],
    [['clients', 'list', '--bogus'], 'lienthong: unknown option --bogus', 'Usage: lienthong clients list'],
    [['clients', 'list', '--out', 'x'], 'lienthong: clients list takes no option --out', 'Usage: lienthong clients list'],
    [['clients', 'create', '--id'], 'lienthong: option --id needs a value', 'Usage: lienthong clients create'],
    [['clients', 'create', '--id', 'x1x'], 'lienthong: missing --name, --roles', 'Usage: lienthong clients create'],
    [['clients', 'create', '--id', 'x1x', '--name', 'X', '--roles', 'system,root'], 'lienthong: --roles must list one or more of system, admin, auditor; unknown: root', 'Usage: lienthong clients create'],
    [['clients', 'rotate-secret'], 'lienthong: missing --id', 'Usage: lienthong clients rotate-secret'],
    [['connectors', 'import', '--dry-run'], 'lienthong: missing --file', 'Usage: lienthong connectors import'],
    [['token', '--json=yes'], 'lienthong: option --json takes no value', 'Usage: lienthong token'],
    [['token', '--url', 'ftp://example.org'], 'lienthong: --url must be http:// or https://, not ftp:', 'Usage: lienthong token'],
    [['token', '--url', 'not a url'], 'lienthong: --url is not a valid URL: not a url', 'Usage: lienthong token'],
    [['token', '--url', 'http://ops:pw@127.0.0.1:1'], 'lienthong: --url must not hold credentials: use --client-id and --client-secret', 'Usage: lienthong token'],
    [['token'], 'lienthong: no client credentials: set LIENTHONG_CLIENT_ID and LIENTHONG_CLIENT_SECRET, or pass --client-id and --client-secret', 'Usage: lienthong token']
  ]
  for (const [argv, first, usage] of cases) {
    const res = await cli(t, argv)
    t.equal(res.code, 2, argv.join(' '))
    t.equal(res.out, '', 'nothing on stdout')
    t.equal(res.err.split('\n')[0], first)
    t.match(res.err, usage)
  }
})

t.test('token: the access token alone, or the whole response with --json; flags and env', async (t) => {
  const { env } = await gateway(t)
  t.same(await cli(t, ['token'], env), { code: 0, out: 'tok-admin', err: '' }, 'LIENTHONG_ADMIN_* as the fallback')
  const json = await cli(t, ['token', '--json'], env)
  t.same(JSON.parse(json.out), { access_token: 'tok-admin', token_type: 'Bearer', expires_in: 300 })

  const preferred = { ...env, LIENTHONG_CLIENT_ID: SYSTEM.id, LIENTHONG_CLIENT_SECRET: SYSTEM.secret }
  t.equal((await cli(t, ['token'], preferred)).out, 'tok-system', 'LIENTHONG_CLIENT_* win over LIENTHONG_ADMIN_*')
  const flags = await cli(t, ['--client-id', ADMIN.id, 'token', '--client-secret', ADMIN.secret], { LIENTHONG_URL: env.LIENTHONG_URL })
  t.equal(flags.out, 'tok-admin', 'flags, before or after the command')
  t.equal((await cli(t, ['token', '--url', env.LIENTHONG_URL], { ...env, LIENTHONG_URL: 'http://127.0.0.1:1' })).out, 'tok-admin', '--url wins over the env')

  const wrong = await cli(t, ['token'], { ...env, LIENTHONG_ADMIN_SECRET: 'not-the-secret' })
  t.same(wrong, { code: 1, out: '', err: 'lienthong: invalid client credentials (client ops-admin)' })
})

t.test('cannot reach the gateway: one line, exit 1', async (t) => {
  const closed = Fastify()
  const url = await closed.listen({ port: 0, host: '127.0.0.1' })
  await closed.close()
  const res = await cli(t, ['clients', 'list', '--url', `${url}/`], { LIENTHONG_ADMIN_ID: ADMIN.id, LIENTHONG_ADMIN_SECRET: ADMIN.secret })
  t.same(res, { code: 1, out: '', err: `lienthong: cannot reach the gateway at ${url} (ECONNREFUSED)` })
})

t.test('not a gateway: a plain 404 says so', async (t) => {
  const { env } = await gateway(t)
  const res = await cli(t, ['token'], { ...env, LIENTHONG_URL: `${env.LIENTHONG_URL}/elsewhere` })
  t.equal(res.code, 1)
  t.match(res.err, /^lienthong: the gateway answered HTTP 404 \(is --url a Liên thông Gateway\?\): \{/)
})

t.test('clients list: a table or JSON; a system client gets a 403', async (t) => {
  const { env } = await gateway(t)
  const res = await cli(t, ['clients', 'list'], env)
  t.equal(res.code, 0)
  t.same(res.out.split('\n'), [
    'ID           NAME                    ROLES   GRANTS                                                AGENCIES      ENABLED',
    'ops-admin    Operations              admin   -                                                     -             yes',
    'h29-onestop  Một cửa TP Hồ Chí Minh  system  citizen.lookup,tax.taxpayer.lookup=1.000894+1.001612  000.00.*.H29  no'
  ])
  t.same(JSON.parse((await cli(t, ['clients', 'list', '--json'], env)).out), CLIENTS)

  const forbidden = await cli(t, ['clients', 'list', '--client-id', SYSTEM.id, '--client-secret', SYSTEM.secret], env)
  t.same(forbidden, { code: 1, out: '', err: 'lienthong: forbidden: client h29-onestop is not allowed to do this: This needs the admin role' })
})

t.test('clients create prints the new secret once, with a warning', async (t) => {
  const { env, seen } = await gateway(t)
  const res = await cli(t, ['clients', 'create', '--id', '000.00.00.H29', '--name', 'TP HCM', '--roles', 'system', '--grants', 'citizen.lookup, tax.taxpayer.lookup'], env)
  t.equal(res.code, 0)
  t.same(res.out.split('\n'), [
    'Created client 000.00.00.H29 (TP HCM), roles system, grants citizen.lookup,tax.taxpayer.lookup, agencies -.',
    'client_id:     000.00.00.H29',
    `client_secret: ${NEW_SECRET}`
  ])
  t.match(res.err, /^warning: this secret is shown only once/)
  t.same(seen.created[0], { id: '000.00.00.H29', name: 'TP HCM', roles: ['system'], grants: ['citizen.lookup', 'tax.taxpayer.lookup'] })

  const json = await cli(t, ['clients', 'create', '--id', 'auditor-1', '--name', 'Audit', '--roles', 'auditor', '--json'], env)
  t.same(JSON.parse(json.out), { client: { id: 'auditor-1', name: 'Audit', roles: ['auditor'], grants: [], agencies: [], enabled: true }, secret: NEW_SECRET })
  t.match(json.err, 'shown only once')
  t.same(seen.created[1], { id: 'auditor-1', name: 'Audit', roles: ['auditor'] }, 'no --grants, no grants field')

  const dup = await cli(t, ['clients', 'create', '--id', 'dup', '--name', 'Dup', '--roles', 'system,admin'], env)
  t.same(dup, { code: 1, out: '', err: 'lienthong: CONFLICT: Client dup already exists' })
})

t.test('clients create and update: grants with purposes, agencies', async (t) => {
  const { env, seen } = await gateway(t)
  const res = await cli(t, ['clients', 'create', '--id', 'hcm-onestop', '--name', 'TP HCM', '--roles', 'system',
    '--grants', 'citizen.lookup=1.000894+ND13-D17, dossier.sync', '--agencies', '000.00.00.H29, 000.00.*.H29'], env)
  t.equal(res.code, 0, res.err)
  t.match(res.out, 'grants citizen.lookup=1.000894+ND13-D17,dossier.sync, agencies 000.00.00.H29,000.00.*.H29.')
  t.same(seen.created[0], { id: 'hcm-onestop', name: 'TP HCM', roles: ['system'], grants: [{ service: 'citizen.lookup', purposes: ['1.000894', 'ND13-D17'] }, 'dossier.sync'], agencies: ['000.00.00.H29', '000.00.*.H29'] })
  const bad = await cli(t, ['clients', 'create', '--id', 'x1x', '--name', 'X', '--roles', 'system', '--grants', 'citizen.lookup='], env)
  t.match(bad, { code: 2, err: /--grants: citizen.lookup= needs purposes/ })

  const up = await cli(t, ['clients', 'update', '--id', 'h29-onestop', '--agencies', '*.*.*.H29', '--enabled', 'yes'], env)
  t.equal(up.code, 0, up.err)
  t.same(seen.patched[0], { agencies: ['*.*.*.H29'], enabled: true })
  t.match(up.out, 'Updated client h29-onestop (Một cửa TP Hồ Chí Minh): roles system, grants citizen.lookup,tax.taxpayer.lookup=1.000894+1.001612, agencies *.*.*.H29, enabled.')
  t.equal((await cli(t, ['clients', 'update', '--id', 'h29-onestop', '--agencies', ''], env)).code, 0)
  t.same(seen.patched[1], { agencies: [] }, '--agencies "" empties the list')
  t.match(await cli(t, ['clients', 'update', '--id', 'h29-onestop'], env), { code: 2, err: /give at least one of/ })
  t.match(await cli(t, ['clients', 'update', '--id', 'ghost', '--name', 'G'], env), { code: 1, err: 'lienthong: NOT_FOUND: Client ghost does not exist' })
})

t.test('clients rotate-secret prints the new secret once', async (t) => {
  const { env } = await gateway(t)
  const res = await cli(t, ['clients', 'rotate-secret', '--id', 'h29-onestop'], env)
  t.equal(res.code, 0)
  t.match(res.out, `client_secret: ${ROTATED_SECRET}`)
  t.match(res.out, 'the previous secret no longer works')
  t.match(res.err, 'shown only once')
  t.same(JSON.parse((await cli(t, ['clients', 'rotate-secret', '--id', 'h29-onestop', '--json'], env)).out), { id: 'h29-onestop', secret: ROTATED_SECRET })
  const ghost = await cli(t, ['clients', 'rotate-secret', '--id', 'ghost'], env)
  t.same(ghost, { code: 1, out: '', err: 'lienthong: NOT_FOUND: Client ghost does not exist' })
})

t.test('connectors list: a table or JSON', async (t) => {
  const { env } = await gateway(t)
  const res = await cli(t, ['connectors', 'list'], env)
  t.equal(res.code, 0)
  t.same(res.out.split('\n'), [
    'ID          TYPE       VERSION  SERVICES             PROVINCES  ENABLED',
    'vneid-main  http-json  3        citizen.lookup       -          yes',
    'tax-hcm     http-json  1        tax.taxpayer.lookup  79         no'
  ])
  t.same(JSON.parse((await cli(t, ['connectors', 'list', '--json'], env)).out), CONNECTORS)
})

t.test('connectors export: pretty JSON on stdout or in a file', async (t) => {
  const { env } = await gateway(t)
  const res = await cli(t, ['connectors', 'export'], env)
  t.equal(res.code, 0)
  t.equal(res.out, JSON.stringify(CONFIG, null, 2))
  const file = join(t.testdir(), 'config.json')
  const written = await cli(t, ['connectors', 'export', '--out', file], env)
  t.same(written, { code: 0, out: `Wrote 2 clients and 2 connectors to ${file}.`, err: '' })
  t.same(JSON.parse(await readFile(file, 'utf8')), CONFIG)
  const bad = await cli(t, ['connectors', 'export', '--out', join(file, 'nope.json')], env)
  t.equal(bad.code, 1)
  t.match(bad.err, `lienthong: cannot write ${join(file, 'nope.json')}:`)
})

t.test('connectors import: dry run, apply, validation errors, new client secrets', async (t) => {
  const { env, seen } = await gateway(t)
  const dir = t.testdir()
  const file = join(dir, 'config.json')
  const doc = { clients: [{ id: 'ops-admin', name: 'Ops', roles: ['admin'] }], connectors: [...CONFIG.connectors, { id: 'bhxh', type: 'http-json', services: ['insurance.lookup'], config: {} }] }
  await writeFile(file, JSON.stringify(doc))

  const dry = await cli(t, ['connectors', 'import', '--file', file, '--dry-run'], env)
  t.equal(dry.code, 0)
  t.same(dry.out.split('\n'), [
    'ACTION  KIND       ID',
    'create  connector  bhxh',
    'update  client     ops-admin',
    'Dry run, nothing applied: 1 create, 1 update, 2 unchanged.'
  ])
  t.same(seen.imports[0], { query: { dryRun: 'true' }, body: doc }, 'the document as it is, dryRun=true')

  const applied = await cli(t, ['connectors', 'import', '--file', file], env)
  t.match(applied.out, /\nApplied: 1 create, 1 update, 2 unchanged\.$/)
  t.same(seen.imports[1].query, { dryRun: 'false' })
  t.same(JSON.parse((await cli(t, ['connectors', 'import', '--file', file, '--json'], env)).out).applied, true)

  const withClient = { ...doc, clients: [{ id: 'new-client', name: 'New', roles: ['system'] }] }
  await writeFile(file, JSON.stringify(withClient))
  const fresh = await cli(t, ['connectors', 'import', '--file', file], env)
  t.match(fresh.out, /\nclient_secret of new-client: import-secret-new-client$/)
  t.match(fresh.err, 'shown only once')

  await writeFile(file, JSON.stringify({ connectors: [{ id: 'x', type: 'bogus', services: ['a'], config: {} }] }))
  const invalid = await cli(t, ['connectors', 'import', '--file', file], env)
  t.same(invalid, {
    code: 1,
    out: '',
    err: ['lienthong: VALIDATION_FAILED: Connector configuration is invalid', '  /body/connectors/0/type unknown connector type bogus', '  /body/connectors/0/config/url must be a URL'].join('\n')
  })

  await writeFile(file, JSON.stringify({ connectors: [] }))
  const lost = await cli(t, ['connectors', 'import', '--file', file], env)
  t.equal(lost.code, 1)
  t.match(lost.err, /^lienthong: CONFLICT: This change leaves granted services without a route: citizen\.lookup\. .*\n {2}run again with --force to apply anyway$/)
  const forced = await cli(t, ['connectors', 'import', '--file', file, '--force'], env)
  t.equal(forced.code, 0)
  t.same(seen.imports.at(-1)?.query, { dryRun: 'false', force: 'true' })

  // `-` reads the document from standard input: `lienthong connectors export | … | lienthong connectors import --file -`
  const piped = await cli(t, ['connectors', 'import', '--file', '-', '--dry-run'], env, JSON.stringify(doc))
  t.equal(piped.code, 0, piped.err)
  t.same(seen.imports.at(-1), { query: { dryRun: 'true' }, body: doc }, 'the document read from stdin, as it is')
  const badPipe = await cli(t, ['connectors', 'import', '--file', '-'], env, '{ not json')
  t.equal(badPipe.code, 1)
  t.match(badPipe.err, /^lienthong: standard input is not valid JSON/)

  const missing = await cli(t, ['connectors', 'import', '--file', join(dir, 'absent.json')], env)
  t.equal(missing.code, 1)
  t.match(missing.err, /^lienthong: cannot read .*absent\.json: ENOENT/)
  await writeFile(file, '{ not json')
  t.match((await cli(t, ['connectors', 'import', '--file', file], env)).err, /^lienthong: .*config\.json is not valid JSON: /)
  await writeFile(file, '[]')
  t.match((await cli(t, ['connectors', 'import', '--file', file], env)).err, /must hold a JSON object/)
})
