import { Fragment, type JSX } from 'preact'
import { useState } from 'preact/hooks'
import { page, post, query } from '../base/api.js'
import { DateField, isoOf } from '../base/date-field.js'
import { formatDateTime, formatNumber, t } from '../base/i18n.js'
import { Badge, ErrorBox, Loading, Notice, Page, SelectField, TextField, useConfirm, useLoad } from '../base/ui.js'

interface Attempt { at: string, outcome: string, upstreamStatus?: number, upstreamCode?: string, error?: string, durationMs?: number }
interface Delivery {
  id: string
  service: string
  dossierCode: string
  status: string
  attempts: Attempt[]
  nextAttemptAt?: string
  deliveredAt?: string
  createdAt: string
  clientId?: string
  lastError?: string
  cancelReason?: string
}
interface Filter { status: string, service: string, dossierCode: string, from: string, to: string }

const STATUSES = ['queued', 'delivering', 'retrying', 'delivered', 'failed', 'cancelled']
const LIMIT = 200
const statusKind = (s: string): string => s === 'delivered' ? 'ok' : s === 'failed' ? 'bad' : s === 'cancelled' ? 'muted' : 'warn'

function Timeline ({ d }: { d: Delivery }): JSX.Element {
  return (
    <ol class='timeline' aria-label={t('deliveries.attemptsOf', { id: d.dossierCode })}>
      <li><span class='when'>{formatDateTime(d.createdAt)}</span> {t('deliveries.accepted')}</li>
      {d.attempts.map((a, i) => (
        <li key={i} class={a.outcome === 'delivered' || a.outcome === 'ok' ? 'ok' : 'bad'}>
          <span class='when'>{formatDateTime(a.at)}</span> {t('deliveries.attemptN', { n: i + 1 })}: <strong>{a.outcome}</strong>
          {a.upstreamStatus !== undefined && <> · HTTP {a.upstreamStatus}</>}
          {a.upstreamCode !== undefined && <> · {a.upstreamCode}</>}
          {a.durationMs !== undefined && <> · {formatNumber(a.durationMs, 1)} ms</>}
          {a.error !== undefined && <div class='muted'>{a.error}</div>}
        </li>
      ))}
      {d.nextAttemptAt !== undefined && <li><span class='when'>{formatDateTime(d.nextAttemptAt)}</span> {t('deliveries.nextAttempt')}</li>}
      {d.deliveredAt !== undefined && <li class='ok'><span class='when'>{formatDateTime(d.deliveredAt)}</span> {t('deliveries.delivered')}</li>}
    </ol>
  )
}

/** Admin: deliveries by status, service, dossier and date; attempts timeline; retry, cancel, retry all matching. */
export function Deliveries (): JSX.Element {
  const [draft, setDraft] = useState<Filter>({ status: 'failed', service: '', dossierCode: '', from: '', to: '' })
  const [filter, setFilter] = useState<Filter>(draft)
  const [open, setOpen] = useState<string>()
  const [cancelling, setCancelling] = useState<string>()
  const [reason, setReason] = useState('')
  const [notice, setNotice] = useState<string>()
  const [error, setError] = useState<unknown>()
  const [ask, dialog] = useConfirm()
  const common = (f: Filter): Record<string, string | undefined> => ({ service: f.service, dossierCode: f.dossierCode.trim(), from: isoOf(f.from), to: isoOf(f.to, true) })
  const list = useLoad(async () => await page<Delivery>('/v1/admin/deliveries', { status: filter.status, ...common(filter), limit: LIMIT }), [filter])

  const retry = async (d: Delivery): Promise<void> => {
    if (!await ask(t('deliveries.retryConfirm', { code: d.dossierCode }), t('deliveries.retry'))) return
    try { await post(`/v1/admin/deliveries/${d.id}/retry`); setNotice(t('deliveries.retried', { n: 1 })); list.reload() } catch (err) { setError(err) }
  }
  const cancel = async (e: Event, d: Delivery): Promise<void> => {
    e.preventDefault()
    try { await post(`/v1/admin/deliveries/${d.id}/cancel`, { reason }); setCancelling(undefined); setReason(''); setNotice(t('deliveries.cancelled', { code: d.dossierCode })); list.reload() } catch (err) { setError(err) }
  }
  const retryAll = async (): Promise<void> => {
    setError(undefined)
    try {
      const failed = await page<Delivery>('/v1/admin/deliveries', { status: 'failed', ...common(filter), limit: 1000 })
      if (failed.items.length === 0) { setNotice(t('deliveries.noneToRetry')); return }
      const n = failed.nextCursor !== null ? t('deliveries.atLeast', { n: failed.items.length }) : String(failed.items.length)
      if (!await ask(t('deliveries.retryAllConfirm', { n }), t('deliveries.retryAll'))) return
      const r = await post<{ retried: number }>(`/v1/admin/deliveries/retry${query(common(filter))}`)
      setNotice(t('deliveries.retried', { n: r.retried }))
      list.reload()
    } catch (err) { setError(err) }
  }

  return (
    <Page title={t('deliveries.title')}>
      {dialog}
      <form class='filters' onSubmit={(e) => { e.preventDefault(); setFilter(draft) }} aria-label={t('common.filters')}>
        <SelectField label={t('deliveries.status')} value={draft.status} onInput={(v) => { setDraft({ ...draft, status: v }) }} options={[['', t('common.all')], ...STATUSES.map((s) => [s, t(`status.${s}` as never)] as [string, string])]} />
        <SelectField label={t('deliveries.service')} value={draft.service} onInput={(v) => { setDraft({ ...draft, service: v }) }} options={[['', t('common.all')], ['dossier.sync', 'dossier.sync'], ['dossier.progress', 'dossier.progress']]} />
        <TextField label={t('deliveries.dossierCode')} value={draft.dossierCode} onInput={(v) => { setDraft({ ...draft, dossierCode: v }) }} />
        <DateField label={t('common.from')} value={draft.from} onInput={(v) => { setDraft({ ...draft, from: v }) }} />
        <DateField label={t('common.to')} value={draft.to} onInput={(v) => { setDraft({ ...draft, to: v }) }} end />
        <div class='actions'>
          <button type='submit' class='primary'>{t('common.apply')}</button>
          <button type='button' class='secondary' onClick={() => { void retryAll() }}>{t('deliveries.retryAll')}</button>
        </div>
      </form>
      <ErrorBox error={list.error ?? error} />
      {notice !== undefined && <Notice kind='ok'>{notice}</Notice>}
      {list.data === undefined
        ? <Loading />
        : (
          <div class='table-wrap'>
            <table>
              <caption class='muted'>{list.data.nextCursor !== null ? t('common.cut', { n: list.data.items.length }) : t('common.count', { n: list.data.items.length })}</caption>
              <thead><tr><th scope='col'>{t('deliveries.dossierCode')}</th><th scope='col'>{t('deliveries.service')}</th><th scope='col'>{t('deliveries.status')}</th><th scope='col'>{t('deliveries.attempts')}</th><th scope='col'>{t('deliveries.created')}</th><th scope='col'>{t('common.actions')}</th></tr></thead>
              <tbody>
                {list.data.items.map((d) => (
                  <Fragment key={d.id}>
                    <tr>
                      <th scope='row'>{d.dossierCode}</th>
                      <td>{d.service}</td>
                      <td><Badge kind={statusKind(d.status)}>{t(`status.${d.status}` as never)}</Badge></td>
                      <td class='num'>{d.attempts.length}</td>
                      <td>{formatDateTime(d.createdAt)}</td>
                      <td class='row-actions'>
                        <button type='button' class='secondary' aria-expanded={open === d.id} onClick={() => { setOpen(open === d.id ? undefined : d.id) }} aria-label={t('deliveries.attemptsOf', { id: d.dossierCode })}>{t('deliveries.attempts')}</button>
                        {d.status === 'failed' && <button type='button' class='secondary' onClick={() => { void retry(d) }} aria-label={t('deliveries.retryOf', { code: d.dossierCode })}>{t('deliveries.retry')}</button>}
                        {d.status === 'failed' && <button type='button' class='secondary' onClick={() => { setCancelling(d.id); setReason('') }} aria-label={t('deliveries.cancelOf', { code: d.dossierCode })}>{t('deliveries.cancel')}</button>}
                      </td>
                    </tr>
                    {(open === d.id || cancelling === d.id) && (
                      <tr key={`${d.id}-more`} class='more'>
                        <td colSpan={6}>
                          {open === d.id && <Timeline d={d} />}
                          {cancelling === d.id && (
                            <form onSubmit={(e) => { void cancel(e, d) }} class='inline-form'>
                              <TextField label={t('deliveries.cancelReason')} value={reason} onInput={setReason} required />
                              <button type='submit' class='primary' disabled={reason.trim() === ''}>{t('deliveries.cancelConfirm')}</button>
                              <button type='button' class='secondary' onClick={() => { setCancelling(undefined) }}>{t('common.cancel')}</button>
                            </form>
                          )}
                        </td>
                      </tr>
                    )}
                  </Fragment>
                ))}
              </tbody>
            </table>
          </div>
          )}
    </Page>
  )
}
