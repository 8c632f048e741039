import type { JSX } from 'preact'
import { useState } from 'preact/hooks'
import { request, type PageOf } from '../base/api.js'
import { DateField, isoOf } from '../base/date-field.js'
import { formatDateTime, formatNumber, t } from '../base/i18n.js'
import { Badge, ErrorBox, Loading, Notice, Page, SelectField, TextField } from '../base/ui.js'

export interface AuditEvent {
  id: string
  seq: string
  at: string
  kind: string
  outcome: string
  traceId: string | null
  clientId: string | null
  endUser: string | null
  purpose: string | null
  caseId: string | null
  service: string | null
  connector: string | null
  httpStatus: number | null
  durationMs: number | null
  errorCode: string | null
  details: Record<string, unknown> | null
}
interface Filter { from: string, to: string, clientId: string, service: string, outcome: string, kind: string, caseId: string, traceId: string, subject: string, limit: string }

const OUTCOMES = ['ok', 'not_found', 'denied', 'invalid', 'error', 'retrying', 'failed']
/** The kinds of event the trail records (the audit API's `kind` filter). */
const KINDS = [
  'lookup', 'delivery.accepted', 'delivery.attempted', 'delivery.delivered', 'delivery.failed', 'delivery.refused', 'auth.failed', 'admin.change',
  'procedure.filed', 'procedure.step', 'procedure.action', 'event.received', 'event.rejected', 'event.delivery'
]
const EMPTY: Filter = { from: '', to: '', clientId: '', service: '', outcome: '', kind: '', caseId: '', traceId: '', subject: '', limit: '50' }
export const outcomeKind = (o: string): string => o === 'ok' ? 'ok' : o === 'retrying' || o === 'not_found' ? 'warn' : 'bad'

/** The filter as the body of POST /v1/audit/events/search: the subject travels in the body, never in a URL. */
function bodyOf (f: Filter): Record<string, unknown> {
  const b: Record<string, unknown> = {}
  const from = isoOf(f.from)
  const to = isoOf(f.to, true)
  if (from !== undefined) b.from = from
  if (to !== undefined) b.to = to
  for (const k of ['clientId', 'service', 'outcome', 'kind', 'caseId', 'traceId', 'subject'] as const) if (f[k].trim() !== '') b[k] = f[k].trim()
  return b
}

// The search is kept for the time the page is open (going to a trace and back finds it again), never in the URL.
let kept: { filter: Filter, events: AuditEvent[], next: string | null } | undefined

/** Auditor: events by every filter of the audit API, newest first; NDJSON export of the same filter. */
export function AuditSearch (): JSX.Element {
  const [f, setF] = useState<Filter>(kept?.filter ?? EMPTY)
  const [events, setEvents] = useState<AuditEvent[] | undefined>(kept?.events)
  const [next, setNext] = useState<string | null>(kept?.next ?? null)
  const [error, setError] = useState<unknown>()
  const [busy, setBusy] = useState(false)
  const [exported, setExported] = useState<string>()
  const set = (k: keyof Filter) => (v: string) => { setF({ ...f, [k]: v }) }
  const run = async (cursor?: string): Promise<void> => {
    setBusy(true); setError(undefined)
    try {
      const page = await request<PageOf<AuditEvent>>('POST', '/v1/audit/events/search', { body: { ...bodyOf(f), limit: Number(f.limit) || 50, ...(cursor !== undefined ? { cursor } : {}) } })
      const all = cursor !== undefined ? [...(events ?? []), ...page.items] : page.items
      setEvents(all); setNext(page.nextCursor)
      kept = { filter: f, events: all, next: page.nextCursor }
    } catch (err) { setError(err) } finally { setBusy(false) }
  }
  const exportNdjson = async (): Promise<void> => {
    setError(undefined)
    try {
      const blob = await request<Blob>('POST', '/v1/audit/export', { body: bodyOf(f), raw: true })
      const url = URL.createObjectURL(blob)
      const a = document.createElement('a')
      a.href = url
      a.download = `audit-${new Date().toISOString().slice(0, 19).replace(/:/g, '')}.ndjson`
      a.click()
      setTimeout(() => { URL.revokeObjectURL(url) }, 1000)
      setExported(t('audit.exported', { n: formatNumber(blob.size) }))
    } catch (err) { setError(err) }
  }
  return (
    <Page title={t('audit.title')}>
      <form class='filters' onSubmit={(e) => { e.preventDefault(); void run() }} role='search' aria-label={t('audit.title')}>
        <TextField label={t('audit.subject')} value={f.subject} onInput={set('subject')} help={t('audit.subjectHelp')} autoComplete='off' name='subject' />
        <DateField label={t('common.from')} value={f.from} onInput={set('from')} />
        <DateField label={t('common.to')} value={f.to} onInput={set('to')} end />
        <TextField label={t('audit.clientId')} value={f.clientId} onInput={set('clientId')} />
        <TextField label={t('audit.service')} value={f.service} onInput={set('service')} />
        <SelectField label={t('audit.kind')} value={f.kind} onInput={set('kind')} options={[['', t('common.all')], ...KINDS.map((k) => [k, k] as [string, string])]} />
        <SelectField label={t('audit.outcome')} value={f.outcome} onInput={set('outcome')} options={[['', t('common.all')], ...OUTCOMES.map((o) => [o, t(`outcome.${o}` as never)] as [string, string])]} />
        <TextField label={t('audit.caseId')} value={f.caseId} onInput={set('caseId')} />
        <TextField label={t('audit.traceId')} value={f.traceId} onInput={set('traceId')} />
        <SelectField label={t('audit.limit')} value={f.limit} onInput={set('limit')} options={['20', '50', '100', '500'].map((n) => [n, n])} />
        <div class='actions'>
          <button type='submit' class='primary' disabled={busy}>{t('common.search')}</button>
          <button type='button' class='secondary' onClick={() => { void exportNdjson() }}>{t('audit.export')}</button>
          <button type='button' class='secondary' onClick={() => { setF(EMPTY); setEvents(undefined); kept = undefined }}>{t('common.clear')}</button>
        </div>
      </form>
      <ErrorBox error={error} />
      {exported !== undefined && <Notice kind='ok'>{exported}</Notice>}
      {busy && <Loading />}
      {events !== undefined && (
        <div class='table-wrap'>
          <table>
            <caption class='muted'>{next !== null ? t('audit.more', { n: events.length }) : t('common.count', { n: events.length })}</caption>
            <thead><tr><th scope='col'>{t('audit.at')}</th><th scope='col'>{t('audit.kind')}</th><th scope='col'>{t('audit.outcome')}</th><th scope='col'>{t('audit.clientId')}</th><th scope='col'>{t('audit.service')}</th><th scope='col'>{t('audit.purpose')}</th><th scope='col'>{t('audit.caseId')}</th><th scope='col'>HTTP</th><th scope='col'>{t('audit.duration')}</th><th scope='col'>{t('audit.trace')}</th></tr></thead>
            <tbody>
              {events.map((e) => (
                <tr key={e.id}>
                  <td>{formatDateTime(e.at)}</td>
                  <td>{e.kind}</td>
                  <td><Badge kind={outcomeKind(e.outcome)}>{t(`outcome.${e.outcome}` as never)}</Badge></td>
                  <td>{e.clientId ?? '—'}{e.endUser !== null && <div class='muted'>{e.endUser}</div>}</td>
                  <td>{e.service ?? '—'}{e.connector !== null && <div class='muted'>{e.connector}</div>}</td>
                  <td>{e.purpose ?? '—'}</td>
                  <td>{e.caseId ?? '—'}</td>
                  <td class='num'>{e.httpStatus ?? '—'}</td>
                  <td class='num'>{e.durationMs !== null ? `${formatNumber(e.durationMs, 1)} ms` : '—'}</td>
                  <td>{e.traceId !== null ? <a href={`/console/audit/traces/${e.traceId}`} aria-label={t('audit.openTrace', { id: e.traceId.slice(0, 8) })}>{e.traceId.slice(0, 8)}</a> : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {next !== null && <button type='button' class='secondary' onClick={() => { void run(next) }}>{t('common.more')}</button>}
        </div>
      )}
    </Page>
  )
}
