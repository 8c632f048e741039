import t from 'tap'
import { AuditKeyring } from '../../src/audit/prepare.js'
import { hexId } from '../../src/events/ids.js'
import { newSubscriptionId } from '../../src/events/subscriptions.js'

t.test('ids of subscriptions and keys survive the audit trail\'s scrubber (no nine digits in a row)', async (t) => {
  const keys = new AuditKeyring('a key for this test only')
  // one random 16-hex id in about twenty holds nine digits in a row: 20,000 draws would show it hundreds of times
  let altered = 0
  for (let i = 0; i < 20_000; i++) {
    const id = newSubscriptionId()
    if (!/^sub_[0-9a-f]{16}$/.test(id) || keys.scrub(id) !== id) altered++
  }
  t.equal(altered, 0, 'every subscription id is recorded as it is')
  t.match(hexId('key_', 6), /^key_[0-9a-f]{12}$/)
  t.not(keys.scrub('sub_3a5083b852272166'), 'sub_3a5083b852272166', 'what a plain random id could be: scrubbed')
})
