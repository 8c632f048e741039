import type { JSX } from 'preact'
import { useState } from 'preact/hooks'
import { get, query } from '../base/api.js'
import { DateField, isoOf } from '../base/date-field.js'
import { formatDateTime, formatNumber, known, t } from '../base/i18n.js'
import { Badge, ErrorBox, Loading, Notice, Page } from '../base/ui.js'
import type { AuditEvent } from './search.js'

interface VerifyResult { ok: boolean, checked: number, firstBadEventId?: string, reason?: string }

/** Why the chain is broken, in words (the reason's own name when the console does not know it). */
const reasonText = (reason: string): string => {
  const key = known(`verify.reason.${reason}`)
  return key !== undefined ? t(key) : reason
}

/** Auditor: recompute the hash chain over a range; a break names and shows the first bad event. */
export function Verify (): JSX.Element {
  const [from, setFrom] = useState('')
  const [to, setTo] = useState('')
  const [result, setResult] = useState<VerifyResult>()
  const [bad, setBad] = useState<AuditEvent>()
  const [error, setError] = useState<unknown>()
  const [busy, setBusy] = useState(false)
  const run = async (e: Event): Promise<void> => {
    e.preventDefault()
    setBusy(true); setError(undefined); setResult(undefined); setBad(undefined)
    try { setResult(await get<VerifyResult>(`/v1/audit/verify${query({ from: isoOf(from), to: isoOf(to, true) })}`)) } catch (err) { setError(err) } finally { setBusy(false) }
  }
  const showBad = async (id: string): Promise<void> => {
    try { setBad(await get<AuditEvent>(`/v1/audit/events/${id}`)) } catch (err) { setError(err) }
  }
  return (
    <Page title={t('verify.title')}>
      <p class='muted'>{t('verify.text')}</p>
      <form class='filters' onSubmit={(e) => { void run(e) }} aria-label={t('verify.title')}>
        <DateField label={t('common.from')} value={from} onInput={setFrom} />
        <DateField label={t('common.to')} value={to} onInput={setTo} end />
        <div class='actions'><button type='submit' class='primary' disabled={busy}>{t('verify.run')}</button></div>
      </form>
      <ErrorBox error={error} />
      {busy && <Loading />}
      {result !== undefined && (
        <Notice kind={result.ok ? 'ok' : 'warn'}>
          <p>{result.ok ? <Badge kind='ok'>{t('verify.ok')}</Badge> : <Badge kind='bad'>{t('verify.broken')}</Badge>} {t('verify.checked', { n: formatNumber(result.checked) })}</p>
          {result.firstBadEventId !== undefined && (
            <p>
              {t('verify.firstBad')} <a href={`#event-${result.firstBadEventId}`} onClick={(e) => { e.preventDefault(); void showBad(result.firstBadEventId as string) }}>{result.firstBadEventId}</a>
              {result.reason !== undefined && <> — {reasonText(result.reason)}</>}
            </p>
          )}
          {result.firstBadEventId === undefined && result.reason !== undefined && <p>{reasonText(result.reason)}</p>}
        </Notice>
      )}
      {bad !== undefined && (
        <section class='panel' id={`event-${bad.id}`} aria-labelledby='bad-title'>
          <h2 id='bad-title'>{t('verify.badEvent', { seq: bad.seq })}</h2>
          <p>{formatDateTime(bad.at)} · {bad.kind} · {bad.clientId ?? '—'} {bad.traceId !== null && <a href={`/console/audit/traces/${bad.traceId}`}>{t('audit.openTrace', { id: bad.traceId.slice(0, 8) })}</a>}</p>
          <pre class='json'>{JSON.stringify(bad, null, 2)}</pre>
        </section>
      )}
    </Page>
  )
}
