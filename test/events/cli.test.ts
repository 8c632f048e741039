import t from 'tap'
import { run } from '../../src/cli/main.js'
import { ADMIN, build } from '../helper.js'
import { EVENTS_ENV, parties, subscriber } from './helper.js'

t.test('the CLI subscribes, lists, rotates, reads delivery status, replays and deletes against a real gateway', async (t) => {
  const app = await build(t, { workers: false, env: { ...EVENTS_ENV, OUTBOUND_ALLOWLIST: '127.0.0.0/8' } })
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  const env = { LIENTHONG_URL: url, LIENTHONG_ADMIN_ID: ADMIN.id, LIENTHONG_ADMIN_SECRET: ADMIN.secret }
  const cli = async (argv: string[]): Promise<{ code: number, out: string, err: string }> => {
    const out: string[] = []
    const err: string[] = []
    const code = await run(argv, { out: (s) => out.push(s), err: (s) => err.push(s), env })
    return { code, out: out.join('\n'), err: err.join('\n') }
  }
  const { clientId } = await parties(app)
  const hook = await subscriber(t)

  const types = await cli(['event-types', 'list'])
  t.equal(types.code, 0)
  t.match(types.out, /citizen\.death-recorded\s+1\.0\.0\s+Death recorded/)

  const outside = await cli(['subscriptions', 'create', '--client', clientId, '--types', 'citizen.death-recorded', '--purpose', 'Trợ cấp', '--callback-url', 'https://example.com/hook'])
  t.equal(outside.code, 1, 'a callback outside the allowlist is refused')
  t.match(outside.err, /outside the outbound allowlist/)

  const created = await cli(['subscriptions', 'create', '--client', clientId, '--types', 'citizen.death-recorded,citizen.residence-changed',
    '--provinces', '01', '--purpose', 'Chi trả trợ cấp xã hội', '--callback-url', hook.url, '--attempts', '5', '--json'])
  t.equal(created.code, 0, created.err)
  const { subscription, secret } = JSON.parse(created.out)
  t.match(secret, /^whsec_/)
  t.match(subscription, { clientId, filter: { provinces: ['01'] }, retryPolicy: { attempts: 5 } })

  const listed = await cli(['subscriptions', 'list'])
  t.match(listed.out, new RegExp(`${subscription.id as string}\\s+${clientId}\\s+citizen.death-recorded,citizen.residence-changed\\s+provinces=01\\s+http://127.0.0.1`))

  const rotated = await cli(['subscriptions', 'rotate-secret', '--id', subscription.id, '--overlap-seconds', '60'])
  t.equal(rotated.code, 0)
  t.match(rotated.out, /signing secret: whsec_/)
  t.match(rotated.err, /shown only once/)

  await app.events.publish([{ type: 'citizen.death-recorded', sourceEventId: 'd-1', occurredAt: '2026-12-01T08:00:00+07:00', data: { personalId: '001090012345', fullName: 'Lê Văn Dũng', dateOfBirth: '1930-01-01', dateOfDeath: '2026-11-30', residence: { provinceCode: '01' } } }], { source: 'cli-test' })
  const status = await cli(['subscriptions', 'deliveries', '--id', subscription.id, '--status', 'pending'])
  t.equal(status.code, 0)
  t.match(status.out, /citizen\.death-recorded\s+-\s+pending\s+0/)
  t.notOk(status.out.includes('001090012345'), 'no identifier in the status')
  t.match((await cli(['subscriptions', 'replay', '--id', subscription.id])).out, 'Replayed 0 deliveries')
  t.equal((await cli(['subscriptions', 'show', '--id', subscription.id])).code, 0)
  t.match((await cli(['subscriptions', 'delete', '--id', subscription.id])).out, `Deleted subscription ${subscription.id as string}`)
  t.equal((await cli(['subscriptions', 'show', '--id', subscription.id])).code, 1)
})
