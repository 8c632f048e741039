import type { JSX } from 'preact'
import { useState } from 'preact/hooks'
import { get, post, put } from '../base/api.js'
import { formatNumber, formatPercent, t } from '../base/i18n.js'
import { Badge, ErrorBox, Loading, Notice, Page, useConfirm, useLoad } from '../base/ui.js'
import { stateBadge, type OverviewData } from '../overview/page.js'
import { connectors, replaceBody, type Connector } from './api.js'

interface CheckResult { ok: boolean, error?: string, durationMs: number }

/** Admin: connector instances with their health; test the connection, enable or disable, edit. */
export function Connectors (): JSX.Element {
  const list = useLoad(connectors)
  const health = useLoad(async () => await get<OverviewData>('/v1/admin/overview'))
  const [result, setResult] = useState<{ id: string, r: CheckResult }>()
  const [error, setError] = useState<unknown>()
  const [ask, dialog] = useConfirm()
  const healthOf = (id: string): OverviewData['connectors'][number] | undefined => health.data?.connectors.find((c) => c.id === id)
  const test = async (c: Connector): Promise<void> => {
    setError(undefined)
    try { setResult({ id: c.id, r: await post<CheckResult>(`/v1/admin/connectors/${encodeURIComponent(c.id)}/check`) }); health.reload() } catch (err) { setError(err) }
  }
  const toggle = async (c: Connector): Promise<void> => {
    if (c.enabled && !await ask(t('connectors.disableConfirm', { id: c.id }), t('connectors.disable'))) return
    try { await put(`/v1/admin/connectors/${encodeURIComponent(c.id)}`, replaceBody(c, { enabled: !c.enabled })); list.reload(); health.reload() } catch (err) { setError(err) }
  }
  return (
    <Page title={t('connectors.title')} actions={<a class='button primary' href='/console/connectors/new'>{t('connectors.create')}</a>}>
      {dialog}
      <ErrorBox error={list.error ?? error} />
      {result !== undefined && (
        <Notice kind={result.r.ok ? 'ok' : 'warn'}>
          {result.r.ok ? t('connectors.testOk', { id: result.id, ms: result.r.durationMs }) : t('connectors.testFailed', { id: result.id, error: result.r.error ?? '' })}
        </Notice>
      )}
      {list.data === undefined
        ? <Loading />
        : (
          <div class='table-wrap'>
            <table>
              <thead><tr><th scope='col'>{t('connectors.id')}</th><th scope='col'>{t('connectors.type')}</th><th scope='col'>{t('connectors.services')}</th><th scope='col'>{t('connectors.provinces')}</th><th scope='col'>{t('connectors.health')}</th><th scope='col'>{t('connectors.circuit')}</th><th scope='col'>p50 / p99</th><th scope='col'>{t('overview.errorRate')}</th><th scope='col'>{t('common.actions')}</th></tr></thead>
              <tbody>
                {list.data.map((c) => {
                  const h = healthOf(c.id)?.health
                  return (
                    <tr key={c.id}>
                      <th scope='row'><a href={`/console/connectors/${encodeURIComponent(c.id)}`}>{c.id}</a></th>
                      <td>{c.type}</td>
                      <td>{c.services.join(', ')}</td>
                      <td>{c.provinces === null ? t('connectors.allProvinces') : c.provinces.join(', ')}</td>
                      <td>{!c.enabled ? <Badge kind='muted'>{t('connectors.disabled')}</Badge> : h !== undefined ? stateBadge(h.state) : '—'}</td>
                      <td>{h !== undefined ? stateBadge(h.circuit) : '—'}</td>
                      <td class='num'>{h?.p50Ms != null ? `${formatNumber(h.p50Ms, 1)} / ${formatNumber(h.p99Ms ?? null, 1)} ms` : '—'}</td>
                      <td class='num'>{formatPercent(h?.errorRate)}</td>
                      <td class='row-actions'>
                        <button type='button' class='secondary' onClick={() => { void test(c) }} aria-label={t('connectors.testOf', { id: c.id })}>{t('connectors.test')}</button>
                        <button type='button' class='secondary' onClick={() => { void toggle(c) }} aria-label={t(c.enabled ? 'connectors.disableOf' : 'connectors.enableOf', { id: c.id })}>{c.enabled ? t('connectors.disable') : t('connectors.enable')}</button>
                      </td>
                    </tr>
                  )
                })}
              </tbody>
            </table>
          </div>
          )}
    </Page>
  )
}
